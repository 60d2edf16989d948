/** A wizard's steps in order: the current one marked (aria-current="step"), the earlier ones done. */
export function StepList({ label, steps, current }: { label: string; steps: readonly string[]; current: number }) {
  return (
    <ol className="steps" aria-label={label}>
      {steps.map((s, i) => (
        <li
          key={s}
          className={i === current ? 'current' : i < current ? 'done' : ''}
          aria-current={i === current ? 'step' : undefined}
        >
          {s}
        </li>
      ))}
    </ol>
  );
}
