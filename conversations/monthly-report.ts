import type { FormInput } from '../src/conversation/form-schema';

/**
 * 《河南省职业院校开展职业培训情况月报表》(教办职成〔2020〕142号 attachment) as data: six parts,
 * 51 cells, and the rules R1–R10 by name. Value kinds and rule checks are implemented in
 * src/report/ and looked up by name when the form is loaded.
 */

const person = (id: string, name: string, help: string, aliases: string[] = []) => ({
  id,
  name,
  label: name,
  unit: '人次',
  kind: 'count',
  prompt: `${name}：多少人次？`,
  help,
  example: '30',
  aliases,
});

const industry = (letter: string, name: string, aliases: string[] = []) =>
  person(`industry_${letter.toLowerCase()}`, name, `培训内容属于 GB/T 4754-2017 门类 ${letter}「${name}」的培训人次。`, [letter, ...aliases]);

const monthlyReport: FormInput = {
  id: 'monthly-report',
  version: 1,
  title: '河南省职业院校开展职业培训情况月报表',
  zeroReportAsks: ['teachers_fulltime', 'students_fulltime'],
  parts: [
    {
      id: 'basic',
      number: 1,
      title: '基本情况',
      intro: '本部分 11 项。只统计本月已完成的培训项目。',
      cells: [
        { id: 'projects_fiscal', name: '财政资金项目', label: '培训项目/班次数 · 财政资金项目', unit: '个', kind: 'count', prompt: '财政资金支持的培训项目/班次：几个？', help: '本月完成的、使用财政资金的培训项目或班次个数。没有填 0。', example: '2', aliases: ['财政资金', '财政项目', '财政'] },
        { id: 'projects_nonfiscal', name: '非财政资金项目', label: '培训项目/班次数 · 非财政资金项目', unit: '个', kind: 'count', prompt: '非财政资金的培训项目/班次：几个？', help: '本月完成的、不使用财政资金的培训项目或班次个数（企业委托、自主开展等）。', example: '3', aliases: ['非财政资金', '非财政项目', '非财政'] },
        { id: 'projects_public', name: '公益性项目', label: '培训项目/班次数 · 公益性项目', unit: '个', kind: 'count', prompt: '公益性培训项目/班次：几个？', help: '本月完成的公益性（免费面向社会）培训项目或班次个数。', example: '1', aliases: ['公益性', '公益项目', '公益'] },
        { id: 'funds_received', name: '培训到帐经费', label: '培训到帐经费', unit: '万元', kind: 'wanyuan', prompt: '本月培训到帐经费：多少万元？', help: '本月实际到帐的培训经费，单位万元，最多 4 位小数；也可以按元填写，如 125000元。', example: '12.5', aliases: ['到帐经费', '到账经费', '经费', '培训经费'] },
        { id: 'hours_subsidized', name: '补贴性培训学时', label: '培训学时 · 政府补贴性培训', unit: '学时', kind: 'count', prompt: '政府补贴性培训的学时：多少学时？', help: '政府补贴性培训的总学时（1 学时 = 45 分钟）。', example: '120', aliases: ['补贴性学时', '补贴学时', '政府补贴性培训学时', '补贴性'] },
        { id: 'hours_unsubsidized', name: '非补贴性培训学时', label: '培训学时 · 非政府补贴性培训', unit: '学时', kind: 'count', prompt: '非政府补贴性培训的学时：多少学时？', help: '非政府补贴性培训的总学时（1 学时 = 45 分钟）。', example: '200', aliases: ['非补贴性学时', '非补贴学时', '非政府补贴性培训学时', '非补贴性', '非补贴'] },
        { id: 'trainees_students', name: '在校学生', label: '培训人数 · 在校学生', unit: '人次', kind: 'count', prompt: '培训人数中的在校学生：多少人次？', help: '参加培训的本校或外校在校学生人次。在校学生 + 社会人员 = 本月培训人数，后面各部分都要合计到这个数。', example: '100', aliases: ['在校学生人数', '学生'] },
        { id: 'trainees_public', name: '社会人员', label: '培训人数 · 社会人员', unit: '人次', kind: 'count', prompt: '培训人数中的社会人员：多少人次？', help: '参加培训的社会人员（企业职工、农民工、退役军人等）人次。', example: '50', aliases: ['社会人员人数', '社会'] },
        { id: 'trainees_subsidized', name: '政府补贴性培训人数', label: '政府补贴性培训人数', unit: '人次', kind: 'count', prompt: '其中政府补贴性培训：多少人次？', help: '培训人数中享受政府补贴的人次，不能超过培训人数。', example: '40', aliases: ['补贴性培训人数', '补贴性人数', '补贴人数', '补贴性'] },
        { id: 'teachers_fulltime', name: '专任教师数', label: '专任教师数', unit: '人', kind: 'count', prompt: '学校专任教师数：多少人？', help: '学校现有专任教师人数（不是人次）。', example: '320', aliases: ['专任教师'] },
        { id: 'students_fulltime', name: '全日制在校学生数', label: '全日制在校学生数', unit: '人', kind: 'count', prompt: '全日制在校学生数：多少人？', help: '学校现有全日制在校学生人数（不是人次）。', example: '8000', aliases: ['全日制在校学生', '在校生数', '在校生', '全日制'] },
      ],
    },
    {
      id: 'content',
      number: 2,
      title: '按培训内容分培训人数（人次）',
      intro: '本部分 5 项，合计应等于培训人数。可以一次回复多项，如「技术技能培训 120 理论知识培训 30 其余为0」。',
      cells: [
        person('content_induction', '岗前基础培训', '岗前、入职等基础性培训的人次。', ['岗前培训', '岗前']),
        person('content_theory', '理论知识培训', '以理论知识为主的培训人次。', ['理论培训', '理论']),
        person('content_skills', '技术技能培训', '以技术技能为主的培训人次。', ['技能培训', '技术技能', '技能']),
        person('content_management', '管理能力培训', '管理能力提升类培训人次。', ['管理培训', '管理']),
        person('content_other', '其他', '不属于以上内容的培训人次。', ['其它', '其他培训']),
      ],
    },
    {
      id: 'mode',
      number: 3,
      title: '按培训形式分培训人数（人次）',
      intro: '本部分 3 项，合计应等于培训人数。可以一次回复，如「面授 80 在线 20 面授与在线结合 50」。',
      cells: [
        person('mode_onsite', '面授', '线下面对面授课的培训人次。', ['线下']),
        person('mode_online', '在线', '完全在线开展的培训人次。', ['线上', '网络']),
        person('mode_blended', '面授与在线结合', '线上线下混合开展的培训人次。', ['混合', '线上线下结合', '结合']),
      ],
    },
    {
      id: 'trainers',
      number: 4,
      title: '培训师数（人）',
      intro: '本部分 2 项，单位是人。',
      cells: [
        { id: 'trainers_internal', name: '学校专任教师', label: '培训师数 · 学校专任教师', unit: '人', kind: 'count', prompt: '担任培训师的学校专任教师：多少人？', help: '本月担任培训师的本校专任教师人数，不能超过专任教师数。', example: '12', aliases: ['校内培训师', '校内', '本校教师', '专任教师'] },
        { id: 'trainers_external', name: '聘请校外人员', label: '培训师数 · 聘请校外人员', unit: '人', kind: 'count', prompt: '聘请的校外培训师：多少人？', help: '本月聘请的校外培训师人数（企业专家、能工巧匠等）。', example: '5', aliases: ['校外培训师', '校外', '外聘'] },
      ],
    },
    {
      id: 'industry',
      number: 5,
      title: '按培训内容所属行业分培训人数（人次）',
      intro: '本部分 21 项（GB/T 4754-2017 门类），合计应等于培训人数。可用行业名或门类字母一次回复多项，如「制造业 120 建筑业 30 其余为0」或「C 120 E 30 其余为0」。',
      cells: [
        industry('A', '农林牧渔业', ['农业']),
        industry('B', '采矿业'),
        industry('C', '制造业'),
        industry('D', '电力、热力、燃气及水生产和供应业', ['电力热力燃气及水生产和供应业', '电力']),
        industry('E', '建筑业'),
        industry('F', '批发和零售业', ['批发零售']),
        industry('G', '交通运输、仓储和邮政业', ['交通运输仓储和邮政业', '交通运输']),
        industry('H', '住宿和餐饮业', ['住宿餐饮']),
        industry('I', '信息传输、软件和信息技术服务业', ['信息传输软件和信息技术服务业', '信息技术', '软件']),
        industry('J', '金融业'),
        industry('K', '房地产业'),
        industry('L', '租赁和商务服务业', ['租赁商务']),
        industry('M', '科学研究和技术服务业', ['科研']),
        industry('N', '水利、环境和公共设施管理业', ['水利环境和公共设施管理业', '水利']),
        industry('O', '居民服务、修理和其他服务业', ['居民服务修理和其他服务业', '居民服务']),
        industry('P', '教育'),
        industry('Q', '卫生和社会工作', ['卫生']),
        industry('R', '文化、体育和娱乐业', ['文化体育和娱乐业', '文体娱乐', '文化']),
        industry('S', '公共管理、社会保障和社会组织', ['公共管理社会保障和社会组织', '公共管理']),
        industry('T', '国际组织'),
        person('industry_other', '其他', '不属于以上门类的培训人次。', ['其它', '其他行业']),
      ],
    },
    {
      id: 'groups',
      number: 6,
      title: '按重点人群分培训人数（人次）',
      intro: '本部分 9 项，合计应等于培训人数，不属于以上人群的计入「其他」。可以一次回复多项，如「企业职工 80 农民工 40 其余为0」。',
      cells: [
        person('group_employees', '企业职工', '企业在职职工的培训人次。', ['职工']),
        person('group_graduates', '高校毕业生', '高校毕业生的培训人次。', ['毕业生']),
        person('group_veterans', '退役军人', '退役军人的培训人次。', ['退役']),
        person('group_migrant', '农民工', '农民工的培训人次。'),
        person('group_capacity', '去产能分流职工', '去产能分流职工的培训人次。', ['分流职工', '去产能']),
        person('group_poor', '贫困劳动力', '建档立卡贫困劳动力的培训人次。', ['贫困人口', '贫困']),
        person('group_disabled', '残疾人', '残疾人的培训人次。', ['残疾']),
        person('group_unemployed', '失业再就业人群', '失业、再就业人员的培训人次。', ['失业人员', '失业', '再就业']),
        person('group_other', '其他', '不属于以上重点人群的培训人次（包括在校学生等）。', ['其它', '其他人群']),
      ],
    },
  ],
  rules: [
    { id: 'R1', title: '按培训内容合计等于培训人数', check: 'partSumsToTotal', params: { part: 'content' } },
    { id: 'R2', title: '按培训形式合计等于培训人数', check: 'partSumsToTotal', params: { part: 'mode' } },
    { id: 'R3', title: '按行业合计等于培训人数', check: 'partSumsToTotal', params: { part: 'industry' } },
    { id: 'R4', title: '按重点人群合计等于培训人数', check: 'partSumsToTotal', params: { part: 'groups' } },
    { id: 'R5', title: '政府补贴性培训人数不超过培训人数', check: 'subsidizedWithinTotal' },
    { id: 'R6', title: '有培训人数就有培训项目', check: 'projectsMatchTrainees' },
    { id: 'R7', title: '校内培训师不超过专任教师数', check: 'internalTrainersWithinTeachers' },
    { id: 'R8', title: '补贴性培训人数与学时一致', check: 'subsidyConsistency' },
    { id: 'R9', title: '有培训就有培训师', check: 'trainersPresent' },
    { id: 'R10', title: '与本校以往数据相比无异常', check: 'historyOutliers', params: { factor: 5, staffChange: 0.2 } },
  ],
};

export default monthlyReport;
