export {
  type Announcement,
  type AnnouncementDelivery,
  type AnnouncementSink,
  startAnnouncements,
} from './announcements.js';
export { formatInZone } from './format.js';
export { PLACEHOLDERS, renderPlaceholders } from './placeholders.js';
export { upcomingRuns } from './preview.js';
export {
  createScheduler,
  type ScheduleContext,
  type ScheduledJob,
  type ScheduleOptions,
  type Scheduler,
  schedule,
} from './scheduler.js';
