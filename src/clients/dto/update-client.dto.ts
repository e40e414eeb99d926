import { PartialType } from '@nestjs/swagger';
import { CreateClientDto } from './create-client.dto';

/**
 * PATCH /clients/:id: any field of the create body. A field left out is unchanged; null is accepted
 * only where the record allows it (the optional address fields), never for a required one.
 */
export class UpdateClientDto extends PartialType(CreateClientDto, { skipNullProperties: false }) {}
