import { pageWindow, type Pagination } from '../platform/pagination.js';

/** Links for page N of a list, given how to build a page's URL. */
export function pageLinks(pagination: Pagination, href: (page: number) => string) {
  return {
    prev: pagination.hasPrev ? href(pagination.page - 1) : null,
    next: pagination.hasNext ? href(pagination.page + 1) : null,
  };
}

/** `<link rel=prev/next>` for the document head. */
export function PageHeadLinks({ pagination, href }: { pagination: Pagination; href: (page: number) => string }) {
  const { prev, next } = pageLinks(pagination, href);
  return (
    <>
      {prev && <link rel="prev" href={prev} />}
      {next && <link rel="next" href={next} />}
    </>
  );
}

/** Previous / numbered / next links (`nav.pagination`); the current page is marked aria-current. */
export function PaginationNav({ pagination, href }: { pagination: Pagination; href: (page: number) => string }) {
  if (pagination.pageCount <= 1) return null;
  const { prev, next } = pageLinks(pagination, href);
  return (
    <nav class="pagination" aria-label="Pages">
      <ul>
        <li class="prev">
          {prev ? (
            <a href={prev} rel="prev">
              Previous
            </a>
          ) : (
            <span aria-disabled="true">Previous</span>
          )}
        </li>
        {pageWindow(pagination.page, pagination.pageCount).map((n, i) =>
          n === 'gap' ? (
            <li key={`gap-${i}`} class="gap" aria-hidden="true">
              …
            </li>
          ) : (
            <li key={n}>
              <a href={href(n)} aria-current={n === pagination.page ? 'page' : undefined} aria-label={`Page ${n}`}>
                {n}
              </a>
            </li>
          ),
        )}
        <li class="next">
          {next ? (
            <a href={next} rel="next">
              Next
            </a>
          ) : (
            <span aria-disabled="true">Next</span>
          )}
        </li>
      </ul>
    </nav>
  );
}
