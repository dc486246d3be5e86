import crypto from "node:crypto";
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";

/** A Node Buffer as the plain Uint8Array the WebAuthn helpers take. */
const bytes = (buffer) => new Uint8Array(buffer);

/**
 * A software authenticator for tests: an ES256 key pair, a credential id and a signature counter, answering
 * registration and authentication options the way a browser and a platform authenticator would (W3C WebAuthn
 * Level 3, 6.1 authenticator data, 6.5 attestation "none", 7.2 the signed data). Each part of a response can
 * be bent (origin, RP ID, counter, flags, user handle), so the tests can show the server refusing it. Plain
 * JavaScript (typed by webauthn.d.mts), so the benchmark signs with the same authenticator as the tests.
 */
export class SoftAuthenticator {
  credentialId = crypto.randomBytes(16);
  keys = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  userHandle = null;

  constructor(rp, options = {}) {
    this.rp = rp;
    this.counter = options.counter ?? 0;
    this.aaguid = options.aaguid ?? "00000000-0000-0000-0000-000000000000";
    this.backedUp = options.backedUp ?? false;
  }

  get id() {
    return isoBase64URL.fromBuffer(this.credentialId);
  }

  /** The COSE public key (base64url), as the server stores it after a registration. */
  get publicKey() {
    return isoBase64URL.fromBuffer(this.cosePublicKey());
  }

  cosePublicKey() {
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    const map = new Map([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, isoBase64URL.toBuffer(jwk.x)],
      [-3, isoBase64URL.toBuffer(jwk.y)],
    ]);
    return isoCBOR.encode(map);
  }

  authData(input) {
    const rpIdHash = crypto.createHash("sha256").update(input.rpId).digest();
    // UP, UV, BE/BS (backed up), AT (attested credential data follows).
    let flags = 0x01;
    if (input.uv) flags |= 0x04;
    if (this.backedUp) flags |= 0x08 | 0x10;
    if (input.attested) flags |= 0x40;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(input.counter >>> 0);
    const parts = [rpIdHash, Buffer.from([flags]), count];
    if (input.attested) {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.from(this.aaguid.replace(/-/g, ""), "hex"), length, this.credentialId, Buffer.from(this.cosePublicKey()));
    }
    return Buffer.concat(parts);
  }

  clientData(type, challenge, origin) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** What navigator.credentials.create returns for `options`, with attestation "none". */
  register(options, bend = {}) {
    this.userHandle = options.user.id;
    const clientDataJSON = this.clientData("webauthn.create", options.challenge, bend.origin ?? this.rp.origin);
    const authData = this.authData({ rpId: bend.rpId ?? this.rp.id, counter: this.counter, uv: bend.uv ?? true, attested: true });
    const attestation = new Map([
      ["fmt", "none"],
      ["attStmt", new Map()],
      ["authData", bytes(authData)],
    ]);
    const attestationObject = isoCBOR.encode(attestation);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(bytes(clientDataJSON)),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * What navigator.credentials.get returns for `options` (or a bare challenge). The counter goes up by one
   * first, unless `counter` sets it.
   */
  assert(options, bend = {}) {
    this.counter = bend.counter ?? this.counter + 1;
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, bend.origin ?? this.rp.origin);
    const authData = this.authData({ rpId: bend.rpId ?? this.rp.id, counter: this.counter, uv: bend.uv ?? true, attested: false });
    const signed = Buffer.concat([authData, crypto.createHash("sha256").update(clientDataJSON).digest()]);
    const signer = bend.signWith ?? this;
    const signature = crypto.sign("sha256", signed, signer.keys.privateKey);
    const userHandle = bend.userHandle === undefined ? this.userHandle : bend.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(bytes(clientDataJSON)),
        authenticatorData: isoBase64URL.fromBuffer(bytes(authData)),
        signature: isoBase64URL.fromBuffer(bytes(signature)),
        ...(userHandle ? { userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
