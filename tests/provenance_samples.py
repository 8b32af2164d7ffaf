"""Images that declare how they were made, built byte by byte for the provenance
tests: IPTC DigitalSourceType in an XMP packet (JPEG APP1, PNG iTXt, WebP XMP
chunk) and C2PA manifests signed offline with a throwaway ES256 chain (no
timestamp authority, nothing fetched)."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from functools import cache

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI = IPTC + "trainedAlgorithmicMedia"


# --- IPTC in XMP, inside real images ---------------------------------------------------


def image(fmt: str, color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(out, fmt)
    return out.getvalue()


def decodes(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
    return True


def xmp(body: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"{body}</rdf:RDF></x:xmpmeta>"
        + " " * 64 + '<?xpacket end="w"?>'
    ).encode()


def attribute_form(code: str) -> bytes:
    return xmp('<rdf:Description rdf:about="" '
                'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
                f'Iptc4xmpExt:DigitalSourceType="{code}"/>')


def element_form(code: str) -> bytes:
    return xmp('<rdf:Description rdf:about="" '
                'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
                f"<Iptc4xmpExt:DigitalSourceType>{code}</Iptc4xmpExt:DigitalSourceType>"
                "</rdf:Description>")


def resource_form(code: str) -> bytes:
    return xmp('<rdf:Description rdf:about="" '
                'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
                f'<Iptc4xmpExt:DigitalSourceType rdf:resource="{code}"/>'
                "</rdf:Description>")


def jpeg_with_xmp(packet: bytes) -> bytes:
    """A JPEG with the packet in an APP1 segment right after SOI."""
    jpeg = image("JPEG")
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_with_xmp(packet: bytes, compressed: bool = False) -> bytes:
    """A PNG with an ``iTXt`` chunk ``XML:com.adobe.xmp`` after IHDR."""
    png = image("PNG")
    text = zlib.compress(packet) if compressed else packet
    body = b"XML:com.adobe.xmp\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + text
    ihdr_end = 8 + 4 + 4 + 13 + 4
    return png[:ihdr_end] + _png_chunk(b"iTXt", body) + png[ihdr_end:]


def webp_with_xmp(packet: bytes) -> bytes:
    """An extended WebP: VP8X (XMP flag set), the image chunk, then ``XMP ``."""
    simple = image("WEBP")
    image_chunk = simple[12:]
    vp8x = bytes([0x04, 0, 0, 0]) + (24 - 1).to_bytes(3, "little") + (16 - 1).to_bytes(
        3, "little")
    chunks = b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x + image_chunk
    chunks += b"XMP " + struct.pack("<I", len(packet)) + packet + (b"\x00" if len(packet) & 1
                                                                     else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


# --- C2PA, signed offline ---------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Rostra tests")])


def _usage(*, signs_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not signs_certs, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=signs_certs, crl_sign=signs_certs, encipher_only=False,
                         decipher_only=False)


@cache
def signing_chain() -> tuple[bytes, bytes]:
    """(PEM chain: signer then CA, PEM private key): C2PA refuses a self-signed
    end-entity certificate, so a throwaway CA signs the ES256 signer."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def cert(subject, issuer, public_key, signing_key, ca: bool):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(public_key).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                                  critical=True)
                   .add_extension(_usage(signs_certs=ca), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                                  critical=False))
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca = cert(_name("Test CA"), _name("Test CA"), ca_key.public_key(), ca_key, True)
    leaf = cert(_name("Test generator"), ca.subject, key.public_key(), ca_key, False)
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return chain, pem


def sign(data: bytes, mime_type: str, actions: list[dict], *,
         parent: bytes | None = None, remote_url: str = "") -> bytes:
    """``data`` with a C2PA manifest carrying ``actions``, signed offline (no TSA)."""
    chain, key = signing_chain()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, key,
                                                       None))
    manifest = {"claim_generator_info": [{"name": "rostra-tests", "version": "1"}],
                "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(manifest, context=context)
    if parent is not None:
        builder.add_ingredient_from_stream(
            {"title": "parent.jpg", "relationship": "parentOf", "label": "parent"},
            "image/jpeg", io.BytesIO(parent))
    if remote_url:
        builder.set_no_embed()
        builder.set_remote_url(remote_url)
    out = io.BytesIO()
    builder.sign(signer, mime_type, io.BytesIO(data), out)
    return out.getvalue()


def created(code: str) -> list[dict]:
    return [{"action": "c2pa.created", "digitalSourceType": code}]
