// Score charts (profiles, team dashboards): a <figure data-chart> holds a
// canvas and its data as JSON; Chart.js is loaded only on pages that have one.
// The same numbers are in the table under the chart, for everyone.
const figures = [...document.querySelectorAll('figure[data-chart]')];

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7ea4', '#57606a'];
// Past the palette, a series changes its line and its points too: 24 series are told apart.
const DASHES = [[], [6, 3], [2, 3]];
const POINTS = ['circle', 'rect', 'triangle'];
const lookOf = (i) => {
  const round = Math.floor(i / PALETTE.length) % DASHES.length;
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[round], point: POINTS[round] };
};

function loadChartJs(src) {
  if (window.Chart) return Promise.resolve(window.Chart);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

async function draw(figure) {
  const canvas = figure.querySelector('canvas');
  const json = figure.querySelector('script[data-chart-data]');
  if (!canvas || !json) return;
  const data = JSON.parse(json.textContent || '{}');
  const Chart = await loadChartJs(figure.dataset.chartSrc);
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  new Chart(canvas, {
    type: figure.dataset.chart || 'line',
    data: {
      labels: data.labels,
      datasets: data.series.map((s, i) => {
        const look = lookOf(i);
        return {
          label: s.label,
          data: s.data,
          borderColor: look.color,
          backgroundColor: look.color,
          borderDash: look.dash,
          pointStyle: look.point,
          // Monotone curves never overshoot below zero or above a week's points.
          cubicInterpolationMode: 'monotone',
        };
      }),
    },
    options: {
      animation: reduced ? false : undefined,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true } },
      plugins: { legend: { position: 'bottom', labels: { usePointStyle: true } } },
    },
  });
  figure.dataset.chartReady = 'true';
}

for (const figure of figures) {
  draw(figure).catch(() => {
    figure.dataset.chartReady = 'failed';
  });
}
