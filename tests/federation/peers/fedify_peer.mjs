// A small ActivityPub peer built on Fedify, for Rostra's federation tests.
//
//   node fedify_peer.mjs lookup <url>          print the object Fedify reads at <url> (JSON)
//   node fedify_peer.mjs serve <port>          serve the actor "peer" on 127.0.0.1:<port>
//
// The server verifies every POST to its inbox with Fedify's verifyRequest (401 when
// the signature does not verify) and lists what it verified at GET /received.
// POST /send?type=Follow&target=<actor uri> makes it deliver a Follow signed with
// Fedify's signRequest (draft-cavage); type=Create&target=...&text=... a Note.
// Loopback addresses are allowed (allowPrivateAddress: true), as tests need.

import { createServer } from "node:http";
import {
  exportSpki,
  generateCryptoKeyPair,
  getDocumentLoader,
  signRequest,
  verifyRequest,
} from "@fedify/fedify";
import { lookupObject } from "@fedify/vocab";

const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const contextLoader = documentLoader;

async function describe(object) {
  if (object == null) return null;
  const json = await object.toJsonLd({ contextLoader });
  return {
    id: object.id?.href ?? null,
    type: json.type ?? null,
    preferredUsername: object.preferredUsername?.toString() ?? null,
    name: object.name?.toString() ?? null,
    content: object.content?.toString() ?? null,
    inbox: object.inboxId?.href ?? null,
    publicKeyId: object.publicKeyId?.href ?? null,
    attributedTo: object.attributionId?.href ?? null,
  };
}

async function lookup(url) {
  const object = await lookupObject(url, { documentLoader, contextLoader });
  console.log(JSON.stringify(await describe(object)));
}

async function serve(port) {
  const origin = `http://127.0.0.1:${port}`;
  const actorId = `${origin}/users/peer`;
  const keyId = new URL(`${actorId}#main-key`);
  const { privateKey, publicKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const publicKeyPem = await exportSpki(publicKey);
  const received = [];
  let counter = 0;

  const actor = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id: actorId,
    type: "Person",
    preferredUsername: "peer",
    name: "Fedify peer",
    inbox: `${actorId}/inbox`,
    outbox: `${actorId}/outbox`,
    followers: `${actorId}/followers`,
    endpoints: { sharedInbox: `${origin}/inbox` },
    publicKey: { id: keyId.href, owner: actorId, publicKeyPem },
  };

  async function send(type, target, text) {
    const recipient = await lookupObject(target, { documentLoader, contextLoader });
    if (recipient?.inboxId == null) throw new Error(`no inbox for ${target}`);
    counter += 1;
    const activity = type === "Follow"
      ? {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${actorId}#follows/${Date.now()}-${counter}`,
        type: "Follow",
        actor: actorId,
        object: target,
      }
      : {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${actorId}/notes/${Date.now()}-${counter}/activity`,
        type: "Create",
        actor: actorId,
        to: [target],
        object: {
          id: `${actorId}/notes/${Date.now()}-${counter}`,
          type: "Note",
          attributedTo: actorId,
          to: [target],
          content: text,
          published: new Date().toISOString(),
          tag: [{ type: "Mention", href: target }],
        },
      };
    const body = JSON.stringify(activity);
    const request = new Request(recipient.inboxId.href, {
      method: "POST",
      headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
      body,
    });
    const signed = await signRequest(request, privateKey, keyId);
    const response = await fetch(signed);
    return { status: response.status, body: await response.text(), id: activity.id };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const reply = (status, data, type = "application/json") => {
      res.writeHead(status, { "Content-Type": type });
      res.end(typeof data === "string" ? data : JSON.stringify(data));
    };
    try {
      if (req.method === "GET" && url.pathname === "/users/peer") {
        return reply(200, actor, "application/activity+json");
      }
      if (req.method === "GET" && url.pathname === "/.well-known/webfinger") {
        return reply(200, {
          subject: `acct:peer@127.0.0.1:${port}`,
          links: [{ rel: "self", type: "application/activity+json", href: actorId }],
        }, "application/jrd+json");
      }
      if (req.method === "GET" && url.pathname === "/received") return reply(200, received);
      if (req.method === "POST" && (url.pathname === "/inbox" || url.pathname === "/users/peer/inbox")) {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) headers.set(name, String(value));
        const request = new Request(`${origin}${req.url}`, { method: "POST", headers, body });
        const key = await verifyRequest(request, { documentLoader, contextLoader });
        if (key == null) {
          received.push({ verified: false });
          return reply(401, { error: "signature did not verify" });
        }
        const activity = JSON.parse(body.toString("utf8"));
        received.push({
          verified: true,
          keyId: key.id?.href ?? null,
          owner: key.ownerId?.href ?? null,
          type: activity.type,
          actor: activity.actor,
          object: activity.object,
        });
        return reply(202, "");
      }
      if (req.method === "POST" && url.pathname === "/send") {
        const result = await send(url.searchParams.get("type"), url.searchParams.get("target"),
          url.searchParams.get("text") ?? "");
        return reply(200, result);
      }
      return reply(404, { error: "not found" });
    } catch (error) {
      return reply(500, { error: String(error?.stack ?? error) });
    }
  });
  server.listen(port, "127.0.0.1", () => console.log(`fedify peer at ${actorId}`));
}

const [command, argument] = process.argv.slice(2);
if (command === "lookup") await lookup(argument);
else if (command === "serve") await serve(Number(argument));
else {
  console.error("usage: fedify_peer.mjs lookup <url> | serve <port>");
  process.exit(2);
}
