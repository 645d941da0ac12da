import { expect } from 'chai';
import { ROLES } from '../../../models/user.ts';
import { ACTIONS, can, PERMISSIONS, rolesFor } from '../../../server/auth/permissions.ts';
import { catalogs } from '../../../server/core/i18n.ts';

describe('permission matrix', () => {
  it('gives every role the basic use of the app', () => {
    for (const role of ROLES) expect(can({ roles: [role] }, 'app.use'), role).to.equal(true);
  });

  it('keeps administration to administrators', () => {
    for (const action of [
      'admin.access',
      'users.manage',
      'users.import',
      'teams.manage',
      'audit.view',
    ] as const) {
      expect(rolesFor(action)).to.deep.equal(['admin']);
      expect(can({ roles: ['operator', 'team_lead', 'knowledge_manager'] }, action), action).to.equal(false);
      expect(can({ roles: ['admin'] }, action)).to.equal(true);
    }
  });

  it('gives a person with several roles the union of their permissions', () => {
    expect(can({ roles: ['operator', 'admin'] }, 'users.manage')).to.equal(true);
  });

  it('denies everything to nobody and to deactivated accounts', () => {
    for (const action of ACTIONS) {
      expect(can(undefined, action)).to.equal(false);
      expect(can({ roles: ['admin'], active: false }, action)).to.equal(false);
    }
  });

  it('names only known roles, and every action has a label in both languages', () => {
    for (const [action, roles] of Object.entries(PERMISSIONS)) {
      for (const role of roles) expect(ROLES, action).to.include(role);
      const [group, name] = action.split('.');
      for (const locale of ['it', 'en'] as const) {
        const labels = (catalogs[locale].permissions as Record<string, Record<string, string>>)[group!];
        expect(labels?.[name!], `${locale} permissions.${action}`).to.be.a('string');
      }
    }
  });
});
