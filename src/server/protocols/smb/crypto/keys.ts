/**
 * MS-SMB2 §3.3.5.5.3: a session's signing and encryption keys from the authentication's
 * session key. 2.x signs with the session key itself; 3.0/3.0.2 derive with fixed contexts,
 * 3.1.1 with the session's preauth integrity hash.
 */
import { Cipher, Dialect } from '../constants.ts';
import { cstr, smb3Kdf } from './kdf.ts';

export interface SessionKeys {
  signingKey: Buffer;
  /** Server to client (the client's DecryptionKey). */
  encryptionKey: Buffer | undefined;
  /** Client to server. */
  decryptionKey: Buffer | undefined;
  /** The 16-byte key an application may query (§3.3.1.8 Session.ApplicationKey). */
  applicationKey: Buffer;
}

export function deriveKeys(
  dialect: Dialect,
  sessionKey: Buffer,
  preauthHash: Buffer,
  cipher: Cipher | undefined,
): SessionKeys {
  // §3.3.5.5.3: the first 16 bytes of the session key, zero-padded when shorter.
  const key = Buffer.alloc(16);
  sessionKey.copy(key, 0, 0, 16);
  if (dialect < Dialect.SMB300)
    return { signingKey: key, encryptionKey: undefined, decryptionKey: undefined, applicationKey: key };
  const bits = cipher === Cipher.AES256_CCM || cipher === Cipher.AES256_GCM ? 256 : 128;
  if (dialect === Dialect.SMB311) {
    return {
      signingKey: smb3Kdf(key, cstr('SMBSigningKey'), preauthHash),
      encryptionKey: smb3Kdf(key, cstr('SMBS2CCipherKey'), preauthHash, bits),
      decryptionKey: smb3Kdf(key, cstr('SMBC2SCipherKey'), preauthHash, bits),
      applicationKey: smb3Kdf(key, cstr('SMBAppKey'), preauthHash),
    };
  }
  return {
    signingKey: smb3Kdf(key, cstr('SMB2AESCMAC'), cstr('SmbSign')),
    encryptionKey: smb3Kdf(key, cstr('SMB2AESCCM'), cstr('ServerOut')),
    decryptionKey: smb3Kdf(key, cstr('SMB2AESCCM'), cstr('ServerIn ')),
    applicationKey: smb3Kdf(key, cstr('SMB2APP'), cstr('SmbRpc')),
  };
}
