// CPU-facing side of the local APIC (SDM Vol. 3 §10.5 / §10.8 interrupt acceptance, §10.6.1 INIT/SIPI): what the
// LAPIC tells its vCPU, and what the vCPU asks the LAPIC when it is ready to take an interrupt.

/**
 * Implemented by the CPU side, one per vCPU. The LAPIC calls these synchronously from whatever context raised the
 * event (a device write, a Clock callback, another vCPU's ICR write). All of them must be cheap and must not run
 * guest code: set a PENDING bit and wake the vCPU from HLT / its scheduler sleep.
 */
export interface VcpuLink {
  /**
   * A maskable interrupt may now be deliverable (IRR gained a bit, the PPR dropped, or the ExtINT source on LINT0
   * asserted). The CPU should set Pending.Interrupt; at its next instruction boundary with RFLAGS.IF=1 and no
   * interrupt shadow it calls lapic.pendingVector() and, if >= 0, lapic.acknowledge() and delivers that vector.
   * Spurious calls are allowed (pendingVector() may then return -1).
   */
  wake(): void;
  /** INIT IPI received (the LAPIC has already reset itself, keeping its ID): enter wait-for-SIPI (SDM §8.4). */
  init(): void;
  /** Start-up IPI with vector `vector`: if waiting for SIPI, start in real mode at CS=vector<<8, IP=0. */
  startup(vector: number): void;
  /** NMI (ICR NMI, LINT1 in NMI mode, I/O APIC NMI): deliver vector 2 unless NMIs are blocked. */
  nmi(): void;
}

/** A link that ignores everything (LAPIC used stand-alone, e.g. in tests or before the CPU is attached). */
export const NULL_VCPU_LINK: VcpuLink = {
  wake() {},
  init() {},
  startup() {},
  nmi() {},
};

/**
 * The 8259 as seen from LINT0 in ExtINT mode: the vector comes from the PIC's INTA cycle, not from the LAPIC.
 * peekVector() answers what intAck() would return without changing any state.
 */
export interface ExtIntSource {
  hasInterrupt(): boolean;
  peekVector(): number;
  intAck(): number;
}
