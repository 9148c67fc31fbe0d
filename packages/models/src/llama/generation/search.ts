import { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, logSoftmax } from './logits-processors';
import type { ResolvedGenerateOptions } from './options';
import { argmax, sampleToken, seededRandom } from './sampling';

/**
 * The model side of decoding: the next-token logits of every row given the whole (left-padded)
 * sequences so far, their attention masks and positions. A cached decoder runs only the positions
 * it has not seen; `reorder` makes row r the old row `rows[r]` (beam search).
 */
export interface StepDecoder {
  next(ids: number[][], mask: number[][], positions: number[][]): Promise<Float32Array[]>;
  reorder(rows: number[]): void;
  dispose(): void;
}

export interface SearchResult {
  /** per prompt: the prompt (without its padding) and the generated tokens, up to and including EOS */
  sequences: number[][];
  /** greedy / sampling: the summed log-probabilities of the chosen tokens under the processed scores; beam search: the hypothesis score */
  scores: number[];
}

/** The left-padded batch transformers' `generate` starts from: ids, attention mask, positions (`cumsum(mask) − 1`, 0 on padding). */
export interface PaddedPrompts {
  ids: number[][];
  mask: number[][];
  /** padding tokens on the left of each row */
  padding: number[];
}

function positionsOf(mask: number[]): number[] {
  let c = -1;
  return mask.map((m) => {
    c += m;
    return m ? c : 0;
  });
}

/** Greedy search, or sampling with `doSample`: transformers' `_sample` (finished rows get `pad` until every row is done). */
export async function greedyOrSample(decoder: StepDecoder, prompts: PaddedPrompts, o: ResolvedGenerateOptions): Promise<SearchResult> {
  const ids = prompts.ids.map((r) => [...r]);
  const mask = prompts.mask.map((r) => [...r]);
  const positions = mask.map(positionsOf);
  const rows = ids.length;
  const promptLength = ids[0]!.length;
  const generated: number[][] = ids.map(() => []);
  const scores = ids.map(() => 0);
  const unfinished = ids.map(() => true);
  const random = seededRandom(o.seed);
  const eos = new Set(o.eos);
  for (let len = promptLength; len < o.maxLength && unfinished.some(Boolean); len++) {
    const logits = await decoder.next(ids, mask, positions);
    for (let b = 0; b < rows; b++) {
      let token: number;
      if (unfinished[b]) {
        const row = logits[b]!;
        applyRepetitionPenalty(row, ids[b]!, o.repetitionPenalty);
        if (o.doSample) {
          applyTemperature(row, o.temperature);
          applyTopK(row, o.topK);
          applyTopP(row, o.topP);
        }
        token = o.doSample ? sampleToken(row, random) : argmax(row);
        scores[b]! += logSoftmax(row)[token]!;
        generated[b]!.push(token);
        if (eos.has(token)) unfinished[b] = false;
      } else token = o.pad!;
      ids[b]!.push(token);
      mask[b]!.push(1);
      positions[b]!.push(positions[b]![positions[b]!.length - 1]! + 1);
    }
  }
  return { sequences: generated.map((g, b) => [...prompts.ids[b]!.slice(prompts.padding[b]), ...g]), scores };
}

interface Beam {
  tokens: number[];
  score: number;
}

const NEG = -1e9;

/**
 * Beam search as transformers 5's vectorised `_beam_search`: per prompt the best
 * `max(2, 1 + #eos) · numBeams` continuations of the running beams; the best `numBeams` that do not
 * stop keep running, those of the top `numBeams` that stop (EOS or the length limit) enter the
 * finished list when they beat its worst (scores `sum log p / generated_length ** lengthPenalty`),
 * and the early-stopping heuristic of `early_stopping` ends a prompt.
 */
export async function beamSearch(decoder: StepDecoder, prompts: PaddedPrompts, o: ResolvedGenerateOptions): Promise<SearchResult> {
  const k = o.numBeams;
  const batch = prompts.ids.length;
  const promptLength = prompts.ids[0]!.length;
  const eos = new Set(o.eos);
  const keep = Math.max(2, 1 + o.eos.length) * k;
  let running: Beam[][] = prompts.ids.map((p) => Array.from({ length: k }, (_, j) => ({ tokens: [...p], score: j === 0 ? 0 : NEG })));
  let finished: (Beam & { done: boolean })[][] = prompts.ids.map(() => Array.from({ length: k }, () => ({ tokens: [], score: NEG, done: false })));
  const unsatisfied = prompts.ids.map(() => true);
  const mask = prompts.mask.flatMap((m) => Array.from({ length: k }, () => [...m]));
  const positions = mask.map(positionsOf);
  for (let len = promptLength; len < o.maxLength;) {
    const logits = await decoder.next(
      running.flatMap((beams) => beams.map((h) => h.tokens)),
      mask,
      positions,
    );
    const origins: number[] = [];
    let anyContinues = false;
    for (let b = 0; b < batch; b++) {
      // the best `keep` of numBeams × vocab accumulated log-probabilities
      const top: { beam: number; token: number; score: number }[] = [];
      for (let j = 0; j < k; j++) {
        const lp = logSoftmax(logits[b * k + j]!);
        applyRepetitionPenalty(lp, running[b]![j]!.tokens, o.repetitionPenalty);
        const base = running[b]![j]!.score;
        for (let t = 0; t < lp.length; t++) {
          const score = Math.fround(lp[t]! + base);
          if (top.length < keep || score > top[top.length - 1]!.score) {
            let at = top.length;
            while (at > 0 && top[at - 1]!.score < score) at--;
            top.splice(at, 0, { beam: j, token: t, score });
            if (top.length > keep) top.pop();
          }
        }
      }
      const stops = top.map((c) => eos.has(c.token) || len + 1 >= o.maxLength);
      if (stops.some((s) => !s)) anyContinues = true;
      // running beams for the next step: the best numBeams that do not stop
      const next = top
        .map((c, r) => ({ c, r, score: c.score + (stops[r] ? NEG : 0) }))
        .sort((x, y) => y.score - x.score || x.r - y.r)
        .slice(0, k);
      // finished hypotheses: the stopping ones among the top numBeams, length-normalised
      const allDone = finished[b]!.every((f) => f.done);
      const candidates = top.map((c, r) => {
        const justFinished = stops[r]! && r < k;
        let score = c.score / (len + 1 - promptLength) ** o.lengthPenalty;
        if (allDone && o.earlyStopping === true) score += NEG;
        if (!unsatisfied[b]) score += NEG;
        if (!justFinished) score += NEG;
        return { tokens: [...running[b]![c.beam]!.tokens, c.token], score, done: justFinished };
      });
      finished[b] = [...finished[b]!, ...candidates]
        .map((f, i) => ({ f, i }))
        .sort((x, y) => y.f.score - x.f.score || x.i - y.i)
        .slice(0, k)
        .map(({ f }) => f);
      running[b] = next.map(({ c, score }) => ({ tokens: [...running[b]![c.beam]!.tokens, c.token], score }));
      for (const { c } of next) origins.push(b * k + c.beam);
    }
    decoder.reorder(origins);
    for (const m of mask) m.push(1);
    for (const p of positions) p.push(p[p.length - 1]! + 1);
    len++;
    for (let b = 0; b < batch; b++) {
      const bestLength = o.earlyStopping === 'never' && o.lengthPenalty > 0 ? o.maxLength - promptLength : len - promptLength;
      const best = running[b]![0]!.score / bestLength ** o.lengthPenalty;
      const worst = Math.min(...finished[b]!.map((f) => f.score));
      unsatisfied[b] = unsatisfied[b]! && finished[b]!.some((f) => best > (f.done ? worst : NEG));
    }
    const open = !(finished.every((f) => f.every((h) => h.done)) && o.earlyStopping === true);
    if (!unsatisfied.some(Boolean) || !open || !anyContinues) break;
  }
  running = [];
  const out = finished.map((f, b) => ({ sequence: f[0]!.tokens.slice(prompts.padding[b]), score: f[0]!.score }));
  finished = [];
  return { sequences: out.map((r) => r.sequence), scores: out.map((r) => r.score) };
}
