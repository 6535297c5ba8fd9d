import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyAuthenticator, apiKeyIdOf, apiKeyMatches, InvalidTokenError, type ApiKeyScope, type ApiKeyUse, type Principal } from '@steward/identity';
import { AuditLog } from '@steward/persistence';
import { DataSource } from 'typeorm';
import { servicePrincipalId } from './service-account.service';

interface KeyRow {
  key_id: string;
  key_hash: string;
  key_expires_at: Date | null;
  revoked_at: Date | null;
  account_id: string;
  name: string;
  scopes: string[];
  ci_keys: string[] | null;
  account_expires_at: Date | null;
}

/**
 * Authenticates `stw_` API keys against their stored SHA-256 (compared in constant time) and
 * audits every use. One indexed lookup per request; the audit entry and the last-use time are
 * written in one short transaction.
 */
@Injectable()
export class DatabaseApiKeyAuthenticator extends ApiKeyAuthenticator {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async authenticate(key: string, now = new Date()): Promise<Principal> {
    const keyId = apiKeyIdOf(key);
    if (!keyId) throw new InvalidTokenError('invalid API key');
    const [row] = (await this.db.query(
      `SELECT k.id AS key_id, k.key_hash, k.expires_at AS key_expires_at, k.revoked_at,
              a.id AS account_id, a.name, a.scopes, a.ci_keys, a.expires_at AS account_expires_at
         FROM api_key k JOIN service_account a ON a.id = k.account_id
        WHERE k.id = $1`,
      [keyId],
    )) as KeyRow[];
    if (!row) throw new InvalidTokenError('invalid API key');
    const refusal = !apiKeyMatches(key, row.key_hash)
      ? 'wrong secret for a known key id'
      : row.revoked_at
        ? `API key ${row.key_id} was revoked`
        : [row.key_expires_at, row.account_expires_at].some((at) => at && at <= now)
          ? `API key ${row.key_id} has expired`
          : undefined;
    if (refusal) {
      // A refused known key is evidence (a leaked, revoked key still in use): on record.
      await this.audit.record({ entity: 'api_key', entityId: row.key_id, action: 'api_key.refused', actor: servicePrincipalId(row.name), data: { reason: refusal } });
      throw new InvalidTokenError(refusal.startsWith('wrong') ? 'invalid API key' : refusal);
    }
    return {
      id: servicePrincipalId(row.name),
      name: `${row.name} (service account)`,
      roles: [],
      groups: [],
      serviceAccount: { accountId: row.account_id, keyId: row.key_id, scopes: row.scopes as ApiKeyScope[], cis: row.ci_keys },
    };
  }

  async recordUse(principal: Principal, use: ApiKeyUse): Promise<void> {
    const account = principal.serviceAccount!;
    await this.db.transaction(async (tx) => {
      await this.audit.append(tx, {
        entity: 'api_key',
        entityId: account.keyId,
        action: use.allowed ? 'api_key.used' : 'api_key.refused',
        actor: principal.id,
        data: { route: use.route, ...(use.reason ? { reason: use.reason } : {}) },
      });
      await tx.query(`UPDATE api_key SET last_used_at = now() WHERE id = $1`, [account.keyId]);
    });
  }
}
