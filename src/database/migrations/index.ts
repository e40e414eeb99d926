import { CreateAutoseo1732500000000 } from './1732500000000-create-autoseo';

// Listed by class (not by glob) so the same list works from ts-node, Jest and dist/.
export const MIGRATIONS = [CreateAutoseo1732500000000];
