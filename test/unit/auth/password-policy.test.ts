import { expect } from 'chai';
import { checkPassword, isCommonPassword } from '../../../server/auth/password-policy.ts';

describe('password policy', () => {
  it('wants at least 12 characters', () => {
    expect(checkPassword('short-pass1')?.key).to.equal('validation.passwordTooShort');
    expect(checkPassword('exactly12chr')).to.equal(null);
  });

  it('accepts a passphrase of unrelated words', () => {
    expect(checkPassword('correct horse battery staple')).to.equal(null);
    expect(checkPassword('gatto lampada pioggia treno')).to.equal(null);
  });

  it('refuses common passwords however they are decorated', () => {
    for (const p of [
      'password1234',
      'Password2024!',
      'passaparola2026',
      'qwertyuiop12',
      '123456789012',
      'aaaaaaaaaaaa',
      'forzajuve!!!!!',
      'ciaociaociao',
      '!!Benvenuto2025',
    ]) {
      expect(isCommonPassword(p), p).to.equal(true);
      expect(checkPassword(p)?.key, p).to.be.oneOf([
        'validation.passwordCommon',
        'validation.passwordTooShort',
      ]);
    }
    expect(isCommonPassword('my own quiet river')).to.equal(false);
  });

  it("refuses the person's own email or name", () => {
    expect(checkPassword('giulia.romano!2024', { email: 'giulia.romano@aurora.example' })?.key).to.equal(
      'validation.passwordPersonal',
    );
    expect(checkPassword('IamMarcoBianchi!', { displayName: 'Marco Bianchi' })?.key).to.equal(
      'validation.passwordPersonal',
    );
  });

  it('caps the length', () => {
    expect(checkPassword('x'.repeat(201))?.key).to.equal('validation.tooLong');
  });
});
