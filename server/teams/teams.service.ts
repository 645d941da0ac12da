import { Types } from 'mongoose';
import { Team } from '../../models/team.ts';
import { foldName, User } from '../../models/user.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { findByIds, op } from '../db/query.ts';
import type { ActionContext } from '../users/users.service.ts';
import type { TeamInput } from './teams.schemas.ts';

export function slugify(value: string): string {
  return foldName(value)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** Teams: a name, a description and one or more leads; members are users whose team it is. */
export class TeamsService {
  readonly #audit: AuditService;

  constructor(audit: AuditService) {
    this.#audit = audit;
  }

  async list() {
    const [teams, counts] = await Promise.all([
      Team.find({}).sort({ name: 1 }).lean(),
      User.aggregate<{ _id: unknown; count: number }>([
        { $match: { active: true } },
        { $group: { _id: '$team', count: { $sum: 1 } } },
      ]),
    ]);
    const members = new Map(counts.map((c) => [String(c._id), c.count]));
    const leadIds = teams.flatMap((t) => t.leads);
    const leads = new Map(
      (await findByIds(User, leadIds, { displayName: 1 })).map((u) => [String(u._id), u.displayName]),
    );
    return teams.map((t) => ({
      id: String(t._id),
      name: t.name,
      slug: t.slug,
      description: t.description,
      members: members.get(String(t._id)) ?? 0,
      leads: t.leads
        .map((id) => ({ id: String(id), name: leads.get(String(id)) ?? '' }))
        .filter((l) => l.name),
    }));
  }

  async options(): Promise<Array<{ id: string; name: string }>> {
    return (await Team.find({}, { name: 1 }).sort({ name: 1 }).lean()).map((t) => ({
      id: String(t._id),
      name: t.name,
    }));
  }

  async get(id: string) {
    const team = Types.ObjectId.isValid(id) ? await Team.findById(id).lean() : null;
    if (!team) throw new NotFoundError('teams.notFound');
    return team;
  }

  /** People who may lead a team: active accounts with the team lead role. */
  async leadCandidates(): Promise<Array<{ id: string; name: string }>> {
    return (
      await User.find({ roles: 'team_lead', active: true }, { displayName: 1 }).sort({ nameKey: 1 }).lean()
    ).map((u) => ({
      id: String(u._id),
      name: u.displayName,
    }));
  }

  async #checkLeads(leads: string[]): Promise<Types.ObjectId[]> {
    const unique = [...new Set(leads)];
    const found = await User.find(
      { _id: op({ $in: unique.map((id) => new Types.ObjectId(id)) }), roles: 'team_lead', active: true },
      { _id: 1 },
    ).lean();
    if (found.length !== unique.length) throw new ValidationError({ leads: { key: 'validation.leadRole' } });
    return unique.map((id) => new Types.ObjectId(id));
  }

  async #checkName(name: string, exceptId?: Types.ObjectId): Promise<string> {
    const slug = slugify(name);
    if (!slug) throw new ValidationError({ name: { key: 'validation.invalid' } });
    const clash = await Team.findOne({ slug }, { _id: 1 }).lean();
    const sameName = await Team.findOne({ name }, { _id: 1 }).lean();
    for (const other of [clash, sameName]) {
      if (other && (!exceptId || !other._id.equals(exceptId)))
        throw new ValidationError({ name: { key: 'validation.teamNameTaken' } });
    }
    return slug;
  }

  async create(input: TeamInput, context: ActionContext): Promise<string> {
    const slug = await this.#checkName(input.name);
    const leads = await this.#checkLeads(input.leads);
    const team = await Team.create({ name: input.name, slug, description: input.description, leads });
    await this.#audit.record({
      actor: { id: context.actor.id, displayName: context.actor.displayName },
      action: 'teams.create',
      target: { type: 'team', id: String(team._id), label: team.name },
      details: { leads: leads.length },
      ip: context.ip,
    });
    return String(team._id);
  }

  async update(id: string, input: TeamInput, context: ActionContext): Promise<void> {
    const team = Types.ObjectId.isValid(id) ? await Team.findById(id) : null;
    if (!team) throw new NotFoundError('teams.notFound');
    const slug = await this.#checkName(input.name, team._id);
    const leads = await this.#checkLeads(input.leads);
    const before = {
      name: team.name,
      description: team.description,
      leads: team.leads.map(String).sort().join(','),
    };
    team.name = input.name;
    team.slug = slug;
    team.description = input.description;
    team.leads = leads;
    await team.save();
    const after = {
      name: team.name,
      description: team.description,
      leads: leads.map(String).sort().join(','),
    };
    const details: Record<string, string> = {};
    for (const key of Object.keys(before) as Array<keyof typeof before>) {
      if (before[key] !== after[key])
        details[key] = key === 'leads' ? `${after.leads.split(',').filter(Boolean).length}` : after[key];
    }
    await this.#audit.record({
      actor: { id: context.actor.id, displayName: context.actor.displayName },
      action: 'teams.update',
      target: { type: 'team', id, label: team.name },
      details,
      ip: context.ip,
    });
  }

  /** Deletes an empty team; a team with members must be emptied first. */
  async remove(id: string, context: ActionContext): Promise<void> {
    const team = Types.ObjectId.isValid(id) ? await Team.findById(id) : null;
    if (!team) throw new NotFoundError('teams.notFound');
    const members = await User.countDocuments({ team: team._id });
    if (members > 0) throw new ConflictError('teams.notEmpty', { count: members });
    await Team.deleteOne({ _id: team._id });
    await this.#audit.record({
      actor: { id: context.actor.id, displayName: context.actor.displayName },
      action: 'teams.delete',
      target: { type: 'team', id, label: team.name },
      ip: context.ip,
    });
  }
}
