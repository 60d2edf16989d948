/** The FSCTLs served, by control code (MS-SMB2 §3.3.5.15); any other is NOT_SUPPORTED (handlers/ioctl.ts). */
import { srvCopychunk, srvCopychunkWrite } from './copychunk.ts';
import { duplicateExtentsToFile } from './duplicate-extents.ts';
import { fileLevelTrim } from './file-level-trim.ts';
import { Fsctl, type FsctlHandler } from './fsctl.ts';
import { getCompression } from './get-compression.ts';
import { getReparsePoint } from './get-reparse-point.ts';
import { queryNetworkInterfaceInfo } from './network-interface-info.ts';
import { createOrGetObjectId } from './object-id.ts';
import { pipeTransceive } from './pipe-transceive.ts';
import { queryAllocatedRanges } from './query-allocated-ranges.ts';
import { requestResumeKey } from './resume-key.ts';
import { setCompression } from './set-compression.ts';
import { setSparse } from './set-sparse.ts';
import { setZeroData } from './set-zero-data.ts';
import { validateNegotiate } from './validate-negotiate.ts';

export const FSCTLS: ReadonlyMap<number, FsctlHandler> = new Map<number, FsctlHandler>([
  [Fsctl.GET_COMPRESSION, getCompression],
  [Fsctl.GET_REPARSE_POINT, getReparsePoint],
  [Fsctl.CREATE_OR_GET_OBJECT_ID, createOrGetObjectId],
  [Fsctl.SET_SPARSE, setSparse],
  [Fsctl.QUERY_ALLOCATED_RANGES, queryAllocatedRanges],
  [Fsctl.SET_ZERO_DATA, setZeroData],
  [Fsctl.FILE_LEVEL_TRIM, fileLevelTrim],
  [Fsctl.DUPLICATE_EXTENTS_TO_FILE, duplicateExtentsToFile],
  [Fsctl.SET_COMPRESSION, setCompression],
  [Fsctl.PIPE_TRANSCEIVE, pipeTransceive],
  [Fsctl.SRV_REQUEST_RESUME_KEY, requestResumeKey],
  [Fsctl.QUERY_NETWORK_INTERFACE_INFO, queryNetworkInterfaceInfo],
  [Fsctl.VALIDATE_NEGOTIATE_INFO, validateNegotiate],
  [Fsctl.SRV_COPYCHUNK, srvCopychunk],
  [Fsctl.SRV_COPYCHUNK_WRITE, srvCopychunkWrite],
]);
