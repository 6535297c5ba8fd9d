import { cmdbWriteRefusal } from './cmdb-access';

describe('cmdbWriteRefusal', () => {
  it('lets admins and change managers write anything', () => {
    expect(cmdbWriteRefusal({ roles: ['admin'], groups: [] }, ['dba'])).toBeUndefined();
    expect(cmdbWriteRefusal({ roles: ['change_manager'], groups: [] }, ['dba', 'platform'])).toBeUndefined();
  });

  it('lets members of every owning group write', () => {
    expect(cmdbWriteRefusal({ roles: ['requester'], groups: ['dba', 'platform'] }, ['dba', 'platform'])).toBeUndefined();
  });

  it('names the groups a caller is missing', () => {
    expect(cmdbWriteRefusal({ roles: ['requester'], groups: ['dba'] }, ['dba', 'platform'])).toBe(
      'requires the role admin or change_manager, or membership of the owner group platform',
    );
  });

  it('refuses a write that names no owner group to anyone but admins and change managers', () => {
    expect(cmdbWriteRefusal({ roles: ['requester'], groups: ['dba'] }, [])).toMatch(/requires the role admin or change_manager/);
  });
});
