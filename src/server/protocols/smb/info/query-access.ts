/**
 * The access a QUERY_INFO needs on the open (MS-SMB2 §3.3.5.20.1 / §3.3.5.20.3, MS-FSA
 * §2.1.5.11): attribute-bearing file classes need FILE_READ_ATTRIBUTES, the EA list
 * FILE_READ_EA, a descriptor's owner / group / DACL READ_CONTROL and its SACL
 * ACCESS_SYSTEM_SECURITY. Other classes (standard, internal, position, ...) need none.
 */
import { InfoType } from '../constants.ts';
import { Access } from '../share-modes.ts';
import { FileInfoClass } from './file-info.ts';

/** MS-DTYP §2.4.7 SECURITY_INFORMATION bits. */
const OWNER_GROUP_DACL = 0x1 | 0x2 | 0x4;
const SACL = 0x8;

export function accessNeededForQuery(type: number, cls: number, additional: number): number {
  if (type === InfoType.FILE) {
    switch (cls) {
      case FileInfoClass.BASIC:
      case FileInfoClass.ALL:
      case FileInfoClass.NETWORK_OPEN:
      case FileInfoClass.ATTRIBUTE_TAG:
        return Access.READ_ATTRIBUTES;
      case FileInfoClass.FULL_EA:
        return Access.READ_EA;
      default:
        return 0;
    }
  }
  if (type === InfoType.SECURITY) {
    return (
      (additional & OWNER_GROUP_DACL ? Access.READ_CONTROL : 0) |
      (additional & SACL ? Access.ACCESS_SYSTEM_SECURITY : 0)
    );
  }
  return 0;
}
