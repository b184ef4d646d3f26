// A virtual list of fixed-height rows: only the rows in view (and a few around them) are in the DOM, so
// 10,000 log lines or 1,000 apps scroll as smoothly as ten. With `follow`, it stays at the bottom as rows
// arrive until the user scrolls up.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode, type UIEvent } from 'react';

interface Props<T> {
  items: T[];
  rowHeight: number;
  height: number | string;
  render: (item: T, index: number) => ReactNode;
  follow?: boolean;
  onFollowChange?: (following: boolean) => void;
  overscan?: number;
  label: string;
  className?: string;
  role?: string;
  rowRole?: string;
}

export function VirtualList<T>({
  items, rowHeight, height, render, follow = false, onFollowChange, overscan = 8, label, className, role = 'list',
  rowRole = 'listitem',
}: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (follow && el) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [follow, items.length]);
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    if (onFollowChange) {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight;
      if (atBottom !== follow) onFollowChange(atBottom);
    }
  };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} role={rowRole} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {render(items[i], i)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      style={{ height }}
      onScroll={onScroll}
      role={role}
      aria-label={label}
      aria-rowcount={role === 'table' || role === 'grid' ? items.length : undefined}
      tabIndex={0}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
