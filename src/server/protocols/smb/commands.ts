/**
 * The command table (MS-SMB2 §3.3.5.2.9-11 preconditions live on each handler: needs a
 * session, needs a tree connect). Commands without a handler are answered NOT_SUPPORTED.
 */
import { Command } from './constants.ts';
import type { SmbHandler } from './handler.ts';
import { changeNotify } from './handlers/change-notify.ts';
import { close } from './handlers/close.ts';
import { create } from './handlers/create.ts';
import { echo } from './handlers/echo.ts';
import { flush } from './handlers/flush.ts';
import { ioctl } from './handlers/ioctl.ts';
import { lock } from './handlers/lock.ts';
import { logoff } from './handlers/logoff.ts';
import { negotiate } from './handlers/negotiate.ts';
import { queryDirectory } from './handlers/query-directory.ts';
import { queryInfo } from './handlers/query-info.ts';
import { read } from './handlers/read.ts';
import { sessionSetup } from './handlers/session-setup.ts';
import { setInfo } from './handlers/set-info.ts';
import { treeConnect } from './handlers/tree-connect.ts';
import { treeDisconnect } from './handlers/tree-disconnect.ts';
import { write } from './handlers/write.ts';

export const COMMANDS: Partial<Record<number, SmbHandler>> = {
  [Command.NEGOTIATE]: negotiate,
  [Command.SESSION_SETUP]: sessionSetup,
  [Command.LOGOFF]: logoff,
  [Command.TREE_CONNECT]: treeConnect,
  [Command.TREE_DISCONNECT]: treeDisconnect,
  [Command.CREATE]: create,
  [Command.CLOSE]: close,
  [Command.FLUSH]: flush,
  [Command.READ]: read,
  [Command.WRITE]: write,
  [Command.LOCK]: lock,
  [Command.IOCTL]: ioctl,
  [Command.ECHO]: echo,
  [Command.QUERY_DIRECTORY]: queryDirectory,
  [Command.CHANGE_NOTIFY]: changeNotify,
  [Command.QUERY_INFO]: queryInfo,
  [Command.SET_INFO]: setInfo,
};
