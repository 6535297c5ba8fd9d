import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default approval policies of the API contract, as data (version 1 of each), and a
 * pre-approved template for the standard change the demo uses. Written out literally: a
 * migration must build the same data whatever the code looks like later.
 */
export class SeedApprovalPoliciesAndTemplates1764504100000 implements MigrationInterface {
  name = 'SeedApprovalPoliciesAndTemplates1764504100000';

  async up(db: QueryRunner): Promise<void> {
    const policies: Array<[string, number, string, string]> = [
      ["normal-low", 1, "Normal change, low risk", "{\"appliesTo\": {\"types\": [\"normal\"], \"riskLevels\": [\"low\"]}, \"rules\": [{\"id\": \"owner\", \"description\": \"1 approval from the owner group of each affected CI\", \"count\": 1, \"ownerGroupOfEachCi\": true}]}"],
      ["normal-medium", 1, "Normal change, medium risk", "{\"appliesTo\": {\"types\": [\"normal\"], \"riskLevels\": [\"medium\"]}, \"rules\": [{\"id\": \"owner\", \"description\": \"1 approval from the owner group of each affected CI\", \"count\": 1, \"ownerGroupOfEachCi\": true}, {\"id\": \"change-manager\", \"description\": \"1 approval from a change manager\", \"count\": 1, \"roles\": [\"change_manager\"]}]}"],
      ["normal-high", 1, "Normal change, high or critical risk", "{\"appliesTo\": {\"types\": [\"normal\"], \"riskLevels\": [\"high\", \"critical\"]}, \"rules\": [{\"id\": \"cab-quorum\", \"description\": \"3 approvals from cab\", \"count\": 3, \"groups\": [\"cab\"]}, {\"id\": \"cab-change-manager\", \"description\": \"at least 1 of them a change manager\", \"count\": 1, \"groups\": [\"cab\"], \"roles\": [\"change_manager\"]}]}"],
      ["emergency", 1, "Emergency change", "{\"appliesTo\": {\"types\": [\"emergency\"], \"riskLevels\": [\"low\", \"medium\", \"high\", \"critical\"]}, \"rules\": [{\"id\": \"ecab-quorum\", \"description\": \"2 approvals from ecab or change managers\", \"count\": 2, \"anyOf\": [{\"groups\": [\"ecab\"]}, {\"roles\": [\"change_manager\"]}]}]}"],
    ];
    for (const [policyId, version, name, definition] of policies) {
      await db.query(`INSERT INTO approval_policy (policy_id, version, name, definition) VALUES ($1, $2, $3, $4::jsonb)`, [policyId, version, name, definition]);
    }
    const restartSteps = [
      {
        id: 'restart',
        name: 'Rolling restart of the application',
        kind: 'automated',
        action: { executor: 'simulated', outcome: 'succeed', durationMs: 2000 },
        rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 500 },
        estimatedMinutes: 10,
      },
    ];
    await db.query(
      `INSERT INTO change_template (template_id, version, name, ci_keys, steps, cab_approval, approved_by, approved_at)
       VALUES ('rolling-restart', 1, 'Rolling restart of an application', $1, $2::jsonb, 'CAB 2026-11-02, item 4', 'change-managers', '2026-11-02T10:00:00Z')`,
      [['app-payments-api', 'app-payments-api-staging'], JSON.stringify(restartSteps)],
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM change_template WHERE template_id = 'rolling-restart' AND version = 1`);
    await db.query(`DELETE FROM approval_policy WHERE version = 1 AND policy_id IN ('normal-low', 'normal-medium', 'normal-high', 'emergency')`);
  }
}
