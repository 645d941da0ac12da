import type { NextFunction, Request, Response } from 'express';

/**
 * Browsers follow a redirect as soon as its headers arrive, while
 * express-session writes the session while ending the response: the next page
 * could be read before a flash message or a sign-in is stored. Redirects of a
 * session that holds anything therefore wait for the session to be saved.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction) {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const session = req.session;
    const holdsSomething =
      session &&
      (session.flash || session.form || session.returnTo || session.passport?.user || session.csrf);
    if (!holdsSomething) return redirect(...args);
    session.save((err) => {
      // Answered meanwhile (a database that stopped answering, see health/availability.ts).
      if (res.headersSent) return;
      if (err) return next(err);
      redirect(...args);
    });
  }) as Response['redirect'];
  next();
}
