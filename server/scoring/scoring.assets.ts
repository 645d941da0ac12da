import path from 'node:path';
import { projectRoot } from '../config.ts';

const chartDist = path.join(projectRoot, 'node_modules', 'chart.js', 'dist');

/**
 * Chart.js (score charts on profiles and team dashboards), served from
 * node_modules through the asset manifest; public/js/charts.js loads it only
 * on pages that have a chart.
 */
export const scoringAssets: Record<string, string> = {
  'vendor/chart.umd.min.js': path.join(chartDist, 'chart.umd.min.js'),
};
