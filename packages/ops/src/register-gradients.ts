// tfjs-core defines the gradient of every kernel but registers them only through this
// side-effect module, which the core bundle does not import. Importing it here makes
// `tf.grad` work in plain Node as well as in browsers (the build bundles it, see tsup.config.ts).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
