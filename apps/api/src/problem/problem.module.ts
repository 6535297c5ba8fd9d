import { Module } from '@nestjs/common';
import { ProblemController } from './problem.controller';
import { ProblemService } from './problem.service';
import { ProblemPersistenceModule } from '@steward/persistence';

@Module({ imports: [ProblemPersistenceModule], controllers: [ProblemController], providers: [ProblemService] })
export class ProblemModule {}
