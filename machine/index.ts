// bmjit public library API: create a machine, load a kernel, run it, inspect it (see README "Library use").
export { createMachine, Machine } from './machine.js';
export type { RunResult, StopReason, MachineSnapshot, MachineStats } from './machine.js';
export type { MachineConfig, EngineMode, ClockMode, TraceSubsystem } from './config.js';
export type { Registers, SegmentRegister } from './registers.js';
export type { SerialPort, OutputListener } from './serial-console.js';
export type { LoadedKernel, MemoryRange } from './loaders/multiboot.js';
export type { EntryState } from './loaders/entry.js';
export { UserError, ExitStatus, parseSize } from './errors.js';
export { SymbolMap } from './symbols.js';
export { BufferSerialBackend, StreamSerialBackend } from '../devices/host/serial-backend.js';
export type { SerialBackend } from '../devices/serial/backend.js';
export { bootBuiltin, readBuiltin, builtinBuildDir } from './builtin.js';
export type { BootOptions, BuiltinSystem, BuiltinProgram } from './builtin.js';
export { isBareMetalKernel, parseBootImage, replaceSections } from './loaders/baremetal.js';
export type { BareMetalBoot, BootImage } from './loaders/baremetal.js';
