export { accuracy, f1, matthewsCorrcoef } from './classification';
export { pearson, spearman, rank } from './correlation';
export { glueMetrics, glueScore, glueTaskName, GLUE_TASKS, type GlueTask } from './glue';
export { vqaAccuracy, normalizeAnswer, isClosedAnswer, type VqaScores } from './vqa';
export { bleu } from './bleu';
export { rougeL } from './rouge-l';
export { ciderD } from './cider-d';
export { captionTokens } from './caption-tokens';
