"""Key pairs: RSA-2048 for every local account (made on first need) and for the
instance actor. PEM text in ``Account.private_key`` / ``public_key``.

Generation is race-safe: two processes may both generate, only the first write
wins and both return the stored pair.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError

from rostra.accounts.models import Account
from rostra.federation import uris
from rostra.federation.models import InstanceActor
from rostra.federation.signatures import Signer

KEY_SIZE = 2048


def generate_keypair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


def ensure_keys(account: Account) -> Account:
    """Give a local ``account`` its key pair if it has none; return the account with it.

    Remote accounts are returned unchanged (their ``public_key`` comes from their actor
    document, and we never hold their private key).
    """
    if not account.local or (account.private_key and account.public_key):
        return account
    private_pem, public_pem = generate_keypair()
    Account.objects.filter(pk=account.pk, private_key="").update(
        private_key=private_pem, public_key=public_pem
    )
    stored = Account.objects.filter(pk=account.pk).values("private_key", "public_key").get()
    account.private_key, account.public_key = stored["private_key"], stored["public_key"]
    return account


def instance_actor() -> InstanceActor:
    """The instance actor's stored key pair, created on first need."""
    actor = InstanceActor.objects.filter(pk=1).first()
    if actor is not None:
        return actor
    private_pem, public_pem = generate_keypair()
    try:
        return InstanceActor.objects.create(pk=1, private_key=private_pem, public_key=public_pem)
    except IntegrityError:
        return InstanceActor.objects.get(pk=1)


def key_id(account: Account) -> str:
    """``<actor uri>#main-key``, the keyId others use to fetch our public key."""
    return f"{uris.actor_uri(account)}#main-key"


def signer_for(account: Account | None = None) -> Signer:
    """A ``Signer`` for requests on behalf of ``account`` (a local one), or of the
    instance actor when ``account`` is None (signed fetches, authorized-fetch servers)."""
    if account is None:
        actor = instance_actor()
        return Signer(f"{uris.instance_actor_uri()}#main-key", actor.private_key)
    if not account.local:
        raise ValueError("Only local accounts can sign requests.")
    ensure_keys(account)
    return Signer(key_id(account), account.private_key)
