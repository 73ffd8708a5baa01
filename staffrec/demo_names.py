"""Fictional names of people, universities, schools and departments for the demo data."""

HAN_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁"
    "邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏田任姜范方石姚谭邹金陆"
    "郝孔白崔康毛秦江史顾侯邵孟段雷钱汤尹常武乔贺"
)
GIVEN = {
    "1": "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊旭宁龙林阳建国志东海峰亮成新文利兵博晨睿",
    "2": "芳娜敏静丽艳娟霞燕玲婷雪琳颖慧晶洁红梅丹萍莉倩佳欣悦璐瑶月英秀玉兰凤蕾薇雅琪",
}
MONGOLIAN_GIVEN = {
    "1": "巴特尔 额尔敦 朝鲁 阿拉坦 宝音 那日苏 苏和 巴图 毕力格 孟和 特木尔 布和 哈斯巴根 达来".split(),
    "2": "其其格 乌云 斯琴 苏日娜 萨仁 图雅 乌兰 敖登 娜仁花 高娃 塔娜 萨日娜 格日勒 阿茹娜".split(),
}
# Many Mongolian staff use their given name alone; the others commonly carry one of these surnames.
MONGOLIAN_SURNAMES = "包白宝鲍韩吴陈"
UNIVERSITIES = ("北疆师范大学", "塞北大学", "青城师范大学", "敕勒川大学", "大青山师范学院", "燕北师范大学")
FOREIGN_UNIVERSITIES = ("远东国立师范大学", "中亚国立技术大学")
# Institutions of educations without a degree, by the first digit of the education code.
SCHOOLS_OF_EDUCATION = {
    "3": ("北疆师范高等专科学校", "塞北职业技术学院", "青城教育高等专科学校"),
    "4": ("北疆师范学校", "塞北卫生学校", "青城职业高级中学", "北疆技工学校"),
    "6": ("北疆第一中学", "塞北实验中学"),
}
DEPARTMENTS = {
    "11": "文学院 数学与统计学院 计算机学院 马克思主义学院 外国语学院 经济管理学院 "
    "机电工程学院 农牧学院 体育学院 艺术学院 蒙古学学院 教育学院".split(),
    "12": "图书馆 实验实训中心 现代教育技术中心 科学研究院".split(),
    "2": "党政办公室 教务处 人事处 财务处 学生工作处 科研处 后勤管理处".split(),
    "3": "后勤管理处 保卫处".split(),
}
