import { decrypt, encrypt } from "@/lib/crypto/encryption";

/** Associated data for a user's TOTP secret: a ciphertext moved to another user's row does not decrypt. */
const secretContext = (userId: string) => `mfa.totp_secret:${userId}`;

/** TOTP secrets are stored with AES-256-GCM under a key outside the database (ASVS 5.0 11.x, NIST SP 800-63B 3.1.4.1). */
export const encryptTotpSecret = (userId: string, secret: string) => encrypt(secret, secretContext(userId));
export const decryptTotpSecret = (userId: string, ciphertext: string) => decrypt(ciphertext, secretContext(userId));
