import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

/** A live line chart: one series per label, x = step. */
export class LiveChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement, title: string, yLabel: string) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { precision: 0 } },
          y: { type: 'linear', title: { display: true, text: yLabel } },
        },
        plugins: { legend: { display: true }, title: { display: true, text: title } },
      },
    });
  }

  add(series: string, x: number, y: number): void {
    let ds = this.chart.data.datasets.find((d) => d.label === series);
    if (!ds) {
      const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
      const c = colours[this.chart.data.datasets.length % colours.length]!;
      ds = { label: series, data: [], borderColor: c, backgroundColor: c, pointRadius: 2, borderWidth: 1.5 };
      this.chart.data.datasets.push(ds);
    }
    ds.data.push({ x, y });
    this.chart.update('none');
  }

  clear(): void {
    this.chart.data.datasets = [];
    this.chart.update('none');
  }
}
