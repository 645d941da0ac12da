import { expect } from 'chai';
import { loggableUrl } from '../../../server/core/logger.ts';

describe('loggableUrl (the URL of the request log line)', () => {
  it('redacts secret query values and password-link tokens, and keeps the rest as sent', () => {
    expect(loggableUrl('/posts?kind=tip&page=2')).to.equal('/posts?kind=tip&page=2');
    expect(loggableUrl('/posts?_csrf=abc&kind=tip')).to.equal('/posts?_csrf=[redacted]&kind=tip');
    expect(loggableUrl('/x?%5Fcsrf=abc&TOKEN=def')).to.equal('/x?%5Fcsrf=[redacted]&TOKEN=[redacted]');
    expect(loggableUrl('/auth/oidc/callback?code=c0de&state=st4te&iss=https%3A%2F%2Fidp')).to.equal(
      '/auth/oidc/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp',
    );
    expect(loggableUrl('/password/reset/0123456789abcdef')).to.equal('/password/reset/[redacted]');
    expect(loggableUrl('/password/reset/0123456789abcdef?x=1')).to.equal('/password/reset/[redacted]?x=1');
    expect(loggableUrl('/search?q=%E0%A4%A&token')).to.equal('/search?q=%E0%A4%A&token');
  });
});
