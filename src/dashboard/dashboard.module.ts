import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AiModule } from '../ai/ai.module';
import { Client } from '../clients/client.entity';
import { ClientsModule } from '../clients/clients.module';
import { CompanyContextModule } from '../company-context/company-context.module';
import { HealthModule } from '../health/health.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

/** GET /dashboard: the operator's page over the same services as the queue commands and the REST API. */
@Module({
  imports: [TypeOrmModule.forFeature([Client]), AiModule, ClientsModule, HealthModule, CompanyContextModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}
