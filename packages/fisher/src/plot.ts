export { renderSvg, renderPng } from './render';
export * from './plot-specs';
