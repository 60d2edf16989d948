/** dfsctl share: shares, their export options and their permissions. */
import { Option, type Command } from 'commander';
import { collect, defined, intArg } from '../args.ts';
import { param, sub, type Cli } from '../cli.ts';
import { UsageError } from '../errors.ts';

const SHARE_COLS = [
  'name',
  'enabled',
  'protocols',
  'readOnly',
  'kind',
  'path',
  'metadataStore',
  'payloadStore',
  'squash',
  'allowedNetworks',
  'defaultAccess',
  'durability',
  'activeMounts',
];

/** The export options, shared by `share create` and `share update`. */
interface ShareOpts {
  path?: string;
  allowNested?: boolean;
  metadataStore?: string;
  payloadStore?: string;
  readOnly?: boolean;
  squash?: 'none' | 'root_to_guest' | 'all_to_guest';
  anonUid?: number;
  anonGid?: number;
  allowedNetwork?: string[];
  nfs?: boolean;
  smb?: boolean;
  guestAccess?: 'none' | 'read' | 'write';
  defaultAccess?: 'none' | 'read' | 'write';
  durability?: 'local' | 'remote';
  description?: string;
  enabled?: boolean;
}

function shareOptions(cmd: Command): Command {
  cmd
    .option('--path <folder>', 'a folder share: the full path of a folder of the server, served as it is')
    .option('--allow-nested', "share a folder inside or around another share's folder")
    .option('--metadata-store <name>', 'a managed share: its metadata store')
    .option('--payload-store <name>', 'a managed share: its payload store')
    .option('--read-only', 'export read-only')
    .option('--no-read-only', 'export read-write')
    .addOption(
      new Option('--squash <mode>', 'NFS identity squashing').choices(['none', 'root_to_guest', 'all_to_guest']),
    )
    .option('--anon-uid <uid>', 'uid squashed users map to', intArg)
    .option('--anon-gid <gid>', 'gid squashed users map to', intArg)
    .option('--allowed-network <cidr>', 'NFS: a network allowed to mount (repeatable; none = everyone)', collect);
  for (const protocol of ['NFS', 'SMB']) {
    const flag = protocol.toLowerCase();
    cmd.option(`--${flag}`, `serve over ${protocol}`).option(`--no-${flag}`, `do not serve over ${protocol}`);
  }
  return cmd
    .addOption(new Option('--guest-access <access>', 'what guests may do').choices(['none', 'read', 'write']))
    .addOption(
      new Option(
        '--default-access <access>',
        'what everyone without an entry may do (other users, NFS uids no user has)',
      ).choices(['none', 'read', 'write']),
    )
    .addOption(
      new Option(
        '--durability <where>',
        'a managed share: COMMIT/flush reply once the write log is durable (local) or the data is in the store, S3 included (remote)',
      ).choices(['local', 'remote']),
    )
    .option('--description <text>', 'description');
}

function shareBody(o: ShareOpts) {
  const protocols = o.nfs !== undefined || o.smb !== undefined ? defined({ nfs: o.nfs, smb: o.smb }) : undefined;
  return defined({
    path: o.path,
    allowNested: o.allowNested,
    metadataStore: o.metadataStore,
    payloadStore: o.payloadStore,
    readOnly: o.readOnly,
    squash: o.squash,
    anonUid: o.anonUid,
    anonGid: o.anonGid,
    allowedNetworks: o.allowedNetwork,
    protocols,
    guestAccess: o.guestAccess,
    defaultAccess: o.defaultAccess,
    durability: o.durability,
    description: o.description,
    enabled: o.enabled,
  });
}

function principalType(type: string): 'user' | 'group' {
  if (type !== 'user' && type !== 'group') throw new UsageError('type must be user or group');
  return type;
}

function accessLevel(access: string): 'none' | 'read' | 'write' {
  if (access !== 'none' && access !== 'read' && access !== 'write')
    throw new UsageError('access must be none, read or write');
  return access;
}

export function registerShares(cli: Cli): void {
  const share = sub(cli.program, 'share', 'shares');
  cli.reads(share, 'share', { list: 'shares.list', get: 'shares.get' }, 'name', SHARE_COLS);
  cli.op(
    shareOptions(
      sub(
        share,
        'create <name>',
        'create a share (served at once): dfsctl share create /photos --path /home/me/Photos, or with --metadata-store m --payload-store p',
      ),
    )
      .option('--create-folder', 'make the folder (--path) if it does not exist')
      .option('--disabled', 'create it disabled'),
    'shares.create',
    {
      columns: SHARE_COLS,
      input: (name: string, o: ShareOpts & { disabled?: boolean; createFolder?: boolean }) => {
        const body = { name, ...shareBody(o), ...(o.disabled && { enabled: false }) };
        if (o.path !== undefined) return { body: { ...body, ...(o.createFolder && { createFolder: true }) } };
        if (!o.metadataStore || !o.payloadStore) {
          throw new UsageError('--path, or --metadata-store and --payload-store, are required');
        }
        return { body };
      },
    },
  );
  cli.op(shareOptions(sub(share, 'update <name>', 'change a share (applied live)')), 'shares.update', {
    input: (name: string, o: ShareOpts) => ({ params: { name }, body: shareBody(o) }),
  });
  cli.op(sub(share, 'check-folder <path>', 'whether a folder of the server can be shared'), 'folders.check', {
    input: (path: string) => ({ query: { path } }),
  });
  cli.op(sub(share, 'delete <name>', 'delete a share (its data stays in its stores or its folder)'), 'shares.delete', {
    input: param('name'),
    done: (name) => `deleted share ${name}`,
  });
  cli.op(sub(share, 'enable <name>', 'enable a share'), 'shares.enable', {
    input: param('name'),
    columns: SHARE_COLS,
  });
  cli.op(sub(share, 'disable <name>', "disable a share (ends the share's sessions)"), 'shares.disable', {
    input: param('name'),
    columns: SHARE_COLS,
  });

  const permission = sub(share, 'permission', 'per-user and per-group access to a share');
  const show = (v: { entries: unknown[]; effective: unknown[] }) => {
    if (cli.globals().output !== 'table') return cli.print(v);
    process.stdout.write('ENTRIES\n');
    cli.print(v.entries, ['principalType', 'principal', 'access']);
    process.stdout.write('\nEFFECTIVE ACCESS\n');
    cli.print(v.effective, ['username', 'access', 'source']);
  };
  cli.op(sub(permission, 'list <share>', 'entries and the effective access of every user'), 'shares.permissions', {
    input: param('name'),
    show,
  });
  cli.op(
    sub(permission, 'set <share> <type> <principal> <access>', 'set access: type user|group, access none|read|write'),
    'shares.setPermission',
    {
      input: (name: string, type: string, principal: string, access: string) => ({
        params: { name, principalType: principalType(type), principal },
        body: { access: accessLevel(access) },
      }),
      show,
    },
  );
  cli.op(
    sub(permission, 'delete <share> <type> <principal>', 'remove the entry of a user or group'),
    'shares.deletePermission',
    {
      input: (name: string, type: string, principal: string) => ({
        params: { name, principalType: principalType(type), principal },
      }),
      show,
    },
  );
}
