// Previous / next over offset pagination; says where the reader is.
export function Pagination({
  offset,
  limit,
  total,
  count,
  onChange,
  label,
}: {
  offset: number;
  limit: number;
  total?: number;
  count: number;
  onChange: (offset: number) => void;
  label: string;
}) {
  const hasNext = total !== undefined ? offset + limit < total : count === limit;
  if (offset === 0 && !hasNext) return null;
  const to = offset + count;
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span>
        {offset + 1}–{to}
        {total !== undefined ? ` of ${total}` : ""}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => onChange(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
