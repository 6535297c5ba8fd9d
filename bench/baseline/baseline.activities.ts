/**
 * Trivial activities of the baseline workflow: no database, no I/O. They stand for the change
 * workflow's recording activities, so that the difference to it is what Steward adds.
 */
export async function recordBaselineTransition(input: { id: string; to: string }): Promise<void> {
  void input;
}

export async function verifyBaselineDecision(input: { id: string; decision: string }): Promise<boolean> {
  return input.decision === 'approve';
}
