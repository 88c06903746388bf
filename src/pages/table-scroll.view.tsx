import type { ComponentChildren } from 'preact';

/**
 * A wide table in its own horizontal scroll box, so that it never widens the page; the box is a
 * labelled region that takes keyboard focus, so it can be scrolled without a mouse.
 */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
