// A time-series chart on canvas (uPlot, ~50 KB) with a caption and a data-table toggle: a canvas is invisible to
// screen readers, the table is not.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export function LineChart({
  caption,
  xLabel,
  x,
  series,
  height = 260,
  format = (v) => v.toPrecision(4),
}: {
  caption: string;
  xLabel: string;
  x: number[];
  series: Series[];
  height?: number;
  format?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [table, setTable] = useState(false);
  const shape = `${xLabel}|${series.map((s) => s.label).join("|")}`;

  useEffect(() => {
    if (!box.current) return;
    const width = Math.max(320, box.current.clientWidth);
    plot.current = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: xLabel }, {}],
        series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true }))],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      box.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the shape changes; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return (
    <figure className="chart">
      <div ref={box} aria-hidden="true" />
      <figcaption>
        {caption}{" "}
        <button type="button" className="link" aria-expanded={table} onClick={() => setTable(!table)}>
          {table ? "Hide the data table" : "Show the data table"}
        </button>
      </figcaption>
      {table && (
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {x.map((value, i) => (
              <tr key={i}>
                <td>{value}</td>
                {series.map((s) => (
                  <td key={s.label}>{s.values[i] == null ? "—" : format(s.values[i] as number)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
