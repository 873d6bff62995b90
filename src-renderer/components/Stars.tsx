export function Stars({ value, onChange, label }: { value: number | null; onChange: (rating: number | null) => void; label: string }) {
  return (
    <span className="stars" role="group" aria-label={label}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button key={n} type="button" className={value !== null && n <= value ? 'star on' : 'star'} aria-label={`${n} star${n > 1 ? 's' : ''}`} aria-pressed={value === n}
          onClick={() => onChange(value === n ? null : n)}>★</button>
      ))}
    </span>
  );
}
