/** The part of a caller the CMDB write rule looks at. */
export interface CmdbCaller {
  roles: readonly string[];
  groups: readonly string[];
}

/**
 * CMDB and calendar writes: admins and change managers for anything, otherwise members of the
 * group that owns the CI. Returns why not, or nothing when allowed.
 */
export function cmdbWriteRefusal(caller: CmdbCaller, ownerGroups: readonly string[]): string | undefined {
  if (caller.roles.includes('admin') || caller.roles.includes('change_manager')) return undefined;
  const missing = ownerGroups.filter((group) => !caller.groups.includes(group));
  if (missing.length === 0 && ownerGroups.length > 0) return undefined;
  return `requires the role admin or change_manager, or membership of the owner group${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
}
