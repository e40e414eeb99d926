import { CreateAutoseo1732500000000 } from './1732500000000-create-autoseo';
import { QueueOperations1732600000000 } from './1732600000000-queue-operations';
import { CredentialsAudit1732716000000 } from './1732716000000-credentials-audit';

// Listed by class (not by glob) so the same list works from ts-node, Jest and dist/.
export const MIGRATIONS = [CreateAutoseo1732500000000, QueueOperations1732600000000, CredentialsAudit1732716000000];
