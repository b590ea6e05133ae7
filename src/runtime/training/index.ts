/** Training: the step compiled from a graph's trainer node, its optimizers and its safety valve. */
export { compileTraining, type CompileTrainingOptions, type PhaseEvent, type StepOptions, type StepReport, type TrainingRun } from './training-run.ts';
export { planTraining, findTrainer, TrainingGraphError, type LossRef, type Side, type SidePlan, type SkippedLoss, type TrainingPlan } from './plan.ts';
export { NonFiniteLossError, firstNonFinite, type NonFiniteDetails } from './non-finite.ts';
export { NamedAdam, type AdamSettings, type NamedTensor } from './adam.ts';
export { ITERATION_ENTRY, STATE_PREFIX, parseOptimizerState, sidePrefix, stepEntry, type ParsedState } from './optimizer-state.ts';
