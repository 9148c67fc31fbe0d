export { accuracy, f1, matthewsCorrcoef } from './classification';
export { pearson, spearman, rank } from './correlation';
export { glueMetrics, glueScore, glueTaskName, GLUE_TASKS, type GlueTask } from './glue';
