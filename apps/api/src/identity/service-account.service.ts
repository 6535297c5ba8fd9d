import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import { generateApiKey, type ApiKeyScope, type Principal } from '@steward/identity';
import { ApiKeyEntity, AuditLog, ConfigurationItemEntity, ServiceAccountEntity } from '@steward/persistence';
import { randomBytes } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { invalidFields } from '../common/validation';
import type { ApiKeyView, CreatedServiceAccount, CreateServiceAccountDto, IssuedApiKey, ServiceAccountView } from './dtos/service-account.dto';

/** The principal id a service account's requests act as; a JWT can never carry it (see TokenVerifier). */
export const servicePrincipalId = (name: string): string => `service:${name}`;

/** Service accounts and their API keys: created, listed and revoked by admins, every step audited. */
@Injectable()
export class ServiceAccountService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async create(admin: Principal, dto: CreateServiceAccountDto, now = new Date()): Promise<CreatedServiceAccount> {
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt <= now) throw invalidFields([{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
    if (dto.cis) {
      const known = await this.db.getRepository(ConfigurationItemEntity).find({ select: { key: true }, where: { key: In(dto.cis) } });
      const unknown = dto.cis.filter((key) => !known.some((ci) => ci.key === key));
      if (unknown.length > 0) throw invalidFields([{ field: 'cis', message: `unknown configuration items: ${unknown.join(', ')}` }]);
    }
    return this.db.transaction(async (tx) => {
      if (await tx.getRepository(ServiceAccountEntity).exists({ where: { name: dto.name } })) {
        throw new StewardError('conflict', `a service account named ${dto.name} exists`);
      }
      const account = tx.create(ServiceAccountEntity, {
        id: `SA-${randomBytes(6).toString('hex')}`,
        name: dto.name,
        scopes: dto.scopes,
        ciKeys: dto.cis ?? null,
        expiresAt,
        createdBy: admin.id,
      });
      await tx.save(account);
      await this.audit.append(tx, {
        entity: 'service_account',
        entityId: account.id,
        action: 'service_account.created',
        actor: admin.id,
        data: { name: dto.name, scopes: dto.scopes, cis: dto.cis ?? null, expiresAt: expiresAt?.toISOString() ?? null },
      });
      const key = await this.issueIn(tx, admin, account, undefined);
      const saved = await tx.findOneByOrFail(ServiceAccountEntity, { id: account.id });
      return { ...accountView(saved, [await tx.findOneByOrFail(ApiKeyEntity, { id: key.id })]), key };
    });
  }

  async issue(admin: Principal, accountId: string, expiresAtText: string | undefined, now = new Date()): Promise<IssuedApiKey> {
    const expiresAt = expiresAtText ? new Date(expiresAtText) : undefined;
    if (expiresAt && expiresAt <= now) throw invalidFields([{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
    return this.db.transaction(async (tx) => {
      const account = await tx.findOne(ServiceAccountEntity, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new StewardError('not_found', `service account ${accountId} not found`);
      if (account.expiresAt && account.expiresAt <= now) throw new StewardError('conflict', `service account ${account.name} expired at ${account.expiresAt.toISOString()}`);
      if (expiresAt && account.expiresAt && expiresAt > account.expiresAt) {
        throw invalidFields([{ field: 'expiresAt', message: `expiresAt must not be after the account's expiry ${account.expiresAt.toISOString()}` }]);
      }
      return this.issueIn(tx, admin, account, expiresAt);
    });
  }

  private async issueIn(tx: DataSource['manager'], admin: Principal, account: ServiceAccountEntity, expiresAt: Date | undefined): Promise<IssuedApiKey> {
    const generated = generateApiKey();
    const row = tx.create(ApiKeyEntity, {
      id: generated.keyId,
      accountId: account.id,
      keyHash: generated.hash,
      expiresAt: expiresAt ?? account.expiresAt,
      revokedAt: null,
      revokedBy: null,
      lastUsedAt: null,
      createdBy: admin.id,
    });
    await tx.save(row);
    await this.audit.append(tx, {
      entity: 'api_key',
      entityId: row.id,
      action: 'api_key.issued',
      actor: admin.id,
      data: { account: account.id, name: account.name, expiresAt: row.expiresAt?.toISOString() ?? null },
    });
    const saved = await tx.findOneByOrFail(ApiKeyEntity, { id: row.id });
    return { ...keyView(saved), key: generated.key };
  }

  async revoke(admin: Principal, accountId: string, keyId: string, now = new Date()): Promise<ApiKeyView> {
    return this.db.transaction(async (tx) => {
      const key = await tx.findOne(ApiKeyEntity, { where: { id: keyId, accountId }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new StewardError('not_found', `API key ${keyId} of service account ${accountId} not found`);
      if (key.revokedAt) return keyView(key);
      await tx.update(ApiKeyEntity, { id: keyId }, { revokedAt: now, revokedBy: admin.id });
      await this.audit.append(tx, { entity: 'api_key', entityId: keyId, action: 'api_key.revoked', actor: admin.id, data: { account: accountId } });
      return keyView(await tx.findOneByOrFail(ApiKeyEntity, { id: keyId }));
    });
  }

  async list(): Promise<ServiceAccountView[]> {
    const [accounts, keys] = await Promise.all([
      this.db.getRepository(ServiceAccountEntity).find({ order: { name: 'ASC' } }),
      this.db.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } }),
    ]);
    return accounts.map((a) => accountView(a, keys.filter((k) => k.accountId === a.id)));
  }

  async get(id: string): Promise<ServiceAccountView> {
    const account = await this.db.getRepository(ServiceAccountEntity).findOneBy({ id });
    if (!account) throw new StewardError('not_found', `service account ${id} not found`);
    return accountView(account, await this.db.getRepository(ApiKeyEntity).find({ where: { accountId: id }, order: { createdAt: 'ASC' } }));
  }
}

function keyView(key: ApiKeyEntity): ApiKeyView {
  return {
    id: key.id,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    revokedBy: key.revokedBy,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
  };
}

function accountView(account: ServiceAccountEntity, keys: ApiKeyEntity[]): ServiceAccountView {
  return {
    id: account.id,
    name: account.name,
    principal: servicePrincipalId(account.name),
    scopes: account.scopes as ApiKeyScope[],
    cis: account.ciKeys,
    expiresAt: account.expiresAt?.toISOString() ?? null,
    createdBy: account.createdBy,
    createdAt: account.createdAt.toISOString(),
    keys: keys.map(keyView),
  };
}
