import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'autoseo:public';

/**
 * A route (or controller) that answers without the API token: the health checks of load balancers and orchestrators,
 * and the reveal of stored credentials, which takes CREDENTIALS_TOKEN instead.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
