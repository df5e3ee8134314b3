/** The app menu (填报 / 查询进度 / 帮助); each click's key maps onto a chat word. */
export const menuWords: Record<string, string> = {
  report: '填报',
  progress: '进度',
  help: '帮助',
};

/** The body of /cgi-bin/menu/create (创建菜单). */
export const appMenu = {
  button: [
    { type: 'click', name: '填报', key: 'report' },
    { type: 'click', name: '查询进度', key: 'progress' },
    { type: 'click', name: '帮助', key: 'help' },
  ],
};
