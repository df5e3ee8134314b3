import { z } from 'zod';

/**
 * One WeCom message body as message/send takes it (without touser/agentid): what an outbox entry
 * sends, fixed when the entry is written so that a resend is the same request (WeCom's duplicate
 * check compares whole requests).
 */
export const wecomMessageSchema = z.union([
  z.object({ msgtype: z.literal('text'), text: z.object({ content: z.string() }) }),
  z.object({ msgtype: z.literal('markdown'), markdown: z.object({ content: z.string() }) }),
  z.object({
    msgtype: z.literal('textcard'),
    textcard: z.object({ title: z.string(), description: z.string(), url: z.string(), btntxt: z.string() }),
  }),
  z.object({ msgtype: z.literal('file'), file: z.object({ media_id: z.string() }) }),
  z.object({
    msgtype: z.literal('template_card'),
    template_card: z.object({
      card_type: z.literal('button_interaction'),
      main_title: z.object({ title: z.string(), desc: z.string() }),
      task_id: z.string(),
      button_list: z.array(z.object({ text: z.string(), style: z.number().int(), key: z.string() })),
    }),
  }),
]);
export type WeComMessage = z.infer<typeof wecomMessageSchema>;
