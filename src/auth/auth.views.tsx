import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';

/** GET /auth/logout from another site: it asks first, and the form's post is same-origin (cross-origin.ts). */
export function LogoutPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="Log out">
      <section class="logout">
        <h1>Log out</h1>
        <p>Do you want to log out of {ctx.shopName}? You will also be signed out at the identity provider.</p>
        <form method="post" action="/auth/logout" class="form">
          <button type="submit">Log out</button>
        </form>
      </section>
    </Layout>
  );
}
