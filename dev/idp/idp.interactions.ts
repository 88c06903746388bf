import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type InteractionDetails, type Provider } from 'oidc-provider';
import { readForm, sendHtml } from './idp.http.js';
import { pageCsp } from './idp.provider.js';
import type { UserStore } from './idp.users.js';
import { LoginPage, MessagePage, RegisterPage, renderPage } from './idp.views.js';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,100})(?:\/(login|register|abort))?$/;

/**
 * The sign-in and registration pages oidc-provider sends the browser to. The interaction cookie
 * (SameSite=Lax, path-scoped) binds each form to the browser that started the authorization request,
 * so a cross-site post cannot complete someone else's sign-in.
 */
export function createInteractionHandler({ provider, users, storeUrl }: { provider: Provider; users: UserStore; storeUrl: string }) {
  const csp = pageCsp(storeUrl);
  const page = (res: ServerResponse, html: string, status = 200) => sendHtml(res, html, csp, status);
  const finish = (req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });

  async function autoConsent(req: IncomingMessage, res: ServerResponse, details: InteractionDetails) {
    const accountId = details.session?.accountId;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    const d = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    if (req.method === 'GET') {
      if (action === 'abort') return finish(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' });
      if (details.prompt.name === 'consent') return autoConsent(req, res, details);
      if (action === 'register' || (!action && details.prompt.name === 'create')) {
        return page(res, renderPage(RegisterPage({ uid, values: { email: '', firstName: '', lastName: '' }, errors: [] })));
      }
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
      return page(res, renderPage(LoginPage({ uid, email: hint })));
    }
    if (req.method !== 'POST' || !action || action === 'abort')
      return page(res, renderPage(MessagePage({ title: 'Not allowed', message: 'That action is not allowed here.' })), 405);
    const field = await readForm(req);
    if (action === 'login') {
      const user = await users.authenticate(field('email'), field('password'));
      if (!user) return page(res, renderPage(LoginPage({ uid, email: field('email'), error: 'Wrong email or password.' })), 400);
      // `create` is resolved too: a visitor sent to registration may sign in to an existing account instead.
      return finish(req, res, { login: { accountId: user.id }, create: {} });
    }
    const values = { email: field('email'), firstName: field('firstName'), lastName: field('lastName') };
    const { user, errors: fieldErrors } = await users.register({ ...values, password: field('password') });
    if (!user) return page(res, renderPage(RegisterPage({ uid, values, errors: fieldErrors })), 400);
    return finish(req, res, { login: { accountId: user.id }, create: {} });
  }

  /** Handles the request when it is an interaction route; returns false otherwise. */
  return async function interactions(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const match = ROUTE.exec(path);
    if (!match) return false;
    try {
      await handle(req, res, match[1]!, match[2]);
    } catch (err) {
      if (res.headersSent) throw err;
      if (err instanceof errors.SessionNotFound) {
        const message = 'This sign-in page has expired or was opened in another browser. Go back to the shop and log in again.';
        page(res, renderPage(MessagePage({ title: 'Sign-in expired', message, back: `${storeUrl}/` })), 400);
      } else if ((err as { status?: number }).status === 413 || (err as { status?: number }).status === 415) {
        page(res, renderPage(MessagePage({ title: 'Bad request', message: (err as Error).message })), (err as { status: number }).status);
      } else throw err;
    }
    return true;
  };
}
