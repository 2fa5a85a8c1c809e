// The delivery behaviour flags (issue 16), told apart from a plain run without loading what runs them
// (cli/attempts.ts loads only when one is given).

export interface BehaviourFlags {
  duplicate?: number;
  duplicateLater?: boolean;
  reorder?: number;
  retrySchedule?: string;
  timeScale?: number;
}

/** Whether any flag asks for delivery behaviour beyond one attempt per delivery, in order. */
export function wantsBehaviour(flags: BehaviourFlags): boolean {
  return (
    flags.duplicate !== undefined ||
    flags.duplicateLater === true ||
    flags.reorder !== undefined ||
    flags.retrySchedule !== undefined ||
    flags.timeScale !== undefined
  );
}
