/**
 * NLM share reservations (XNFS 14, NLM_SHARE / NLM_UNSHARE): DOS-style whole-file opens of
 * PC clients. A reservation has an access (what the holder does: fsa_R, fsa_W) and a mode
 * (what it denies others: fsm_DR, fsm_DW); a new one conflicts when its access meets a held
 * mode or its mode meets a held access of another owner.
 */

interface Reservation {
  host: string;
  oh: string;
  mode: number;
  access: number;
}

export class ShareReservations {
  private readonly files = new Map<string, Reservation[]>();

  /** Adds (or replaces) the owner's reservation; false on conflict. */
  share(file: string, host: string, oh: Buffer, mode: number, access: number): boolean {
    const key = oh.toString('hex');
    const held = this.files.get(file) ?? [];
    const others = held.filter((r) => r.host !== host || r.oh !== key);
    if (others.some((r) => (r.mode & access) !== 0 || (r.access & mode) !== 0)) return false;
    this.files.set(file, [...others, { host, oh: key, mode, access }]);
    return true;
  }

  unshare(file: string, host: string, oh: Buffer): void {
    const key = oh.toString('hex');
    const kept = (this.files.get(file) ?? []).filter((r) => r.host !== host || r.oh !== key);
    if (kept.length === 0) this.files.delete(file);
    else this.files.set(file, kept);
  }

  releaseHost(host: string): void {
    for (const [file, held] of this.files) {
      const kept = held.filter((r) => r.host !== host);
      if (kept.length === 0) this.files.delete(file);
      else this.files.set(file, kept);
    }
  }
}
