/**
 * The commented config file `dfs init` writes. It spells out every default (template.test.ts
 * checks it parses to exactly the schema defaults), except dataDir, whose default is
 * platform-specific and is therefore left commented out.
 */
export const CONFIG_TEMPLATE = `# DittoFS server configuration, written by \`dfs init\`. Every key shows its default.
#
# Any key can also be set in the environment: DITTOFS_ + the key path joined by "_",
# upper-cased (api.port -> DITTOFS_API_PORT, dataDir -> DITTOFS_DATA_DIR).
# Precedence: --data-dir, then the environment, then this file, then the defaults.
#
# Stores, shares, users and adapters are not configured here: they live in the
# control-plane database and are managed with dfsctl, the REST API or the app.

logging:
  # trace, debug, info, warn, error or fatal
  level: info
  # auto (readable lines and a start-up summary on a terminal, JSON when the
  # output goes to a file, a pipe or a service's journal), json (one object per
  # line) or pretty
  format: auto

# Home of the control-plane database and the embedded stores. Default: the platform
# data directory (~/.local/share/dittofs on Linux). Relative to this file's directory.
# dataDir: /srv/dittofs

controlplane:
  # SQLite file holding users, shares, stores and adapters; relative to dataDir.
  # Or a PostgreSQL database: postgres://user:password@host:5432/dittofs (add
  # ?sslmode=verify-full for TLS); it keeps its tables in the schema "controlplane".
  database: controlplane.db
  # On PostgreSQL: connections kept open, and how long opening one may take.
  poolSize: 4
  connectTimeoutMs: 10000

# REST API and web UI.
api:
  enabled: true
  bind: 127.0.0.1
  # 0 picks a free port.
  port: 8080

# Prometheus metrics.
metrics:
  enabled: true
  bind: 127.0.0.1
  port: 9090

# The NFS and SMB listeners are seeded from here on first start; after that they are
# managed at runtime (dfsctl adapter ...), though DITTOFS_NFS_* / DITTOFS_SMB_* still
# win at every start.
nfs:
  enabled: true
  # 0.0.0.0 serves every network interface, 127.0.0.1 only this machine.
  bind: 0.0.0.0
  port: 12049
  # Port mapper (rpcbind) for clients that look the NFS port up.
  portmapper:
    enabled: false
    port: 10111
  # Largest RPC record accepted, in bytes: a 4 MiB WRITE plus headers.
  maxRecordSize: 4259840
  # Open connections, all clients together, and from one client address; more are refused.
  maxConnections: 256
  maxConnectionsPerClient: 32
  # A connection with no call running and no traffic for this long is closed (ms); clients
  # reconnect when they need to. Linux closes its own idle connections after 5 minutes.
  idleTimeoutMs: 600000
  # A record (one call) must arrive whole within this long of its first byte (ms).
  recordTimeoutMs: 60000
  # Bytes that partially received records may hold, all connections together (64 MiB);
  # a large WRITE arriving past it waits for memory to free.
  maxPartialRecordBytes: 67108864
  # NFS versions served, from minVersion to maxVersion: 3, 4.0, 4.1 or 4.2. NFSv3 (and
  # MOUNT) only when minVersion is 3; clients pick the highest they share with these.
  minVersion: '3'
  maxVersion: '4.2'

smb:
  enabled: true
  bind: 0.0.0.0
  port: 12445

# The write path of managed shares (filesystem and S3 stores): written data lands in
# memory and in a write log under dataDir; COMMIT costs one log fsync shared by every
# caller; a background carver moves the data into the store's blocks. See docs/write-log.md.
cache:
  # Memory for written data, all shares together (64 MiB); only data already in the
  # store is evicted, so writers wait for the carver when unsaved data fills it.
  memoryBytes: 67108864
  # Disk the write log may use per store; 0 means a tenth of the free disk at start,
  # between 256 MiB and 8 GiB. When full, writers wait, then get "no space".
  logBytes: 0
  # Writes at least this long (1 MiB) skip the log and go straight to their blocks, as do
  # small ones into existing blocks of a file the log holds nothing of (docs/write-log.md);
  # 0 logs every write.
  bypassBytes: 1048576
  # Local disk cache of each S3 store: data waiting for upload and recent reads (see
  # docs/offloader.md); 0 means a fifth of the free disk at start, at least 256 MiB.
  offloadBytes: 0
  # On a share with durability "remote" (COMMIT replies once the data is in S3): how long
  # a COMMIT waits for its uploads before failing with an I/O error, in milliseconds.
  remoteCommitTimeoutMs: 20000

# How long in-flight requests may take to finish on shutdown, in milliseconds.
shutdownTimeoutMs: 10000

health:
  # How often the PostgreSQL databases in use are probed, in milliseconds: while one cannot
  # be reached, /health/ready answers 503 and an alert names it.
  databaseCheckMs: 5000

# Instances that share one control-plane database (PostgreSQL) list each other.
cluster:
  # How often this instance records that it is alive, in milliseconds.
  heartbeatMs: 5000
  # An instance not heard from for this long is shown down.
  downAfterMs: 20000

# Used once, when the control-plane database is empty: the first share and its stores.
defaults:
  share: /export
  metadataStore:
    # memory, sqlite or postgres
    type: sqlite
  payloadStore:
    # memory, fs or s3
    type: fs
`;
