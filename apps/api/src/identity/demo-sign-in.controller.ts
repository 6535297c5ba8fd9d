import { Body, Controller, Get, HttpCode, Inject, Module, NotFoundException, Post, type DynamicModule } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DEMO_USERS, Public, signToken, type Role } from '@steward/identity';
import { IsString, Length } from 'class-validator';

/** The secret demo tokens are signed with: the embedded launcher's own JWT_SECRET. */
const DEMO_SIGNING_SECRET = Symbol('DEMO_SIGNING_SECRET');

export class DemoUserView {
  @ApiProperty({ description: 'The part the user plays in the demo data (requester, cabMember, ...)' }) part: string;
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) roles: Role[];
  @ApiProperty({ type: [String] }) groups: string[];
}

export class DemoTokenRequest {
  @ApiProperty({ description: 'The demo user id (alice, bob, ...)' })
  @IsString()
  @Length(1, 64)
  userId: string;
}

export class DemoTokenView {
  @ApiProperty({ description: 'A bearer token for the demo user, valid 12 hours' }) token: string;
  @ApiProperty({ type: DemoUserView }) user: DemoUserView;
}

function demoUsers(): DemoUserView[] {
  return Object.entries(DEMO_USERS).map(([part, user]) => ({ part, id: user.id, name: user.name, roles: user.roles, groups: user.groups }));
}

/**
 * The console's sign-in picker under `npm start`: the tokens the launcher prints, one request
 * away. Registered only by the embedded launcher when it signs demo tokens with its own secret;
 * any other API (OIDC, a configured deployment) has no such route at all. Both routes are public
 * in the written access policy as well, which its spec checks against these decorators.
 */
@ApiTags('demo sign-in')
@Controller('api/demo')
export class DemoSignInController {
  constructor(@Inject(DEMO_SIGNING_SECRET) private readonly secret: string) {}

  @Get('users')
  @Public()
  @ApiOperation({ summary: 'The demo users a token can be minted for (embedded launcher only)' })
  @ApiResponse({ status: 200, type: [DemoUserView] })
  users(): DemoUserView[] {
    return demoUsers();
  }

  @Post('tokens')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'A bearer token for a demo user (embedded launcher only)' })
  @ApiResponse({ status: 200, type: DemoTokenView })
  async token(@Body() body: DemoTokenRequest): Promise<DemoTokenView> {
    const user = demoUsers().find((u) => u.id === body.userId);
    const principal = Object.values(DEMO_USERS).find((u) => u.id === body.userId);
    if (!user || !principal) throw new NotFoundException(`no demo user ${body.userId}`);
    return { token: await signToken(this.secret, principal), user };
  }
}

@Module({})
export class DemoSignInModule {
  static forRoot(jwtSecret: string): DynamicModule {
    return { module: DemoSignInModule, controllers: [DemoSignInController], providers: [{ provide: DEMO_SIGNING_SECRET, useValue: jwtSecret }] };
  }
}
